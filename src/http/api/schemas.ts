import { Type, type Static } from 'typebox';

/** Schemas of the merchant API: they validate requests, shape responses and make /openapi.json. */
export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      type: Type.String(),
      code: Type.String(),
      message: Type.String(),
      param: Type.Optional(Type.String()),
      detail: Type.Optional(Type.String()),
      request_id: Type.String(),
    }),
  },
  { $id: 'Error', description: 'Every error answer, with a stable `code` (see docs/errors.md).' },
);

const Amount = Type.Integer({
  minimum: 0,
  maximum: 9_007_199_254_740_991,
  description: 'Minor units of the currency (won for KRW).',
});

export const PaymentPartSchema = Type.Object({
  id: Type.String(),
  amount: Amount,
  amount_captured: Amount,
  amount_refunded: Amount,
  status: Type.Union([
    Type.Literal('authorized'),
    Type.Literal('captured'),
    Type.Literal('voided'),
    Type.Literal('expired'),
  ]),
});

export const PaymentSchema = Type.Object(
  {
    id: Type.String({ description: 'pay_…' }),
    object: Type.Literal('payment'),
    livemode: Type.Boolean(),
    status: Type.Union([
      Type.Literal('requires_payment'),
      Type.Literal('requires_capture'),
      Type.Literal('partially_captured'),
      Type.Literal('succeeded'),
      Type.Literal('voided'),
      Type.Literal('expired'),
    ]),
    amount: Amount,
    currency: Type.String(),
    amount_authorized: Amount,
    amount_captured: Amount,
    amount_refunded: Amount,
    fee: Amount,
    capture_mode: Type.Union([Type.Literal('auto'), Type.Literal('manual')]),
    order_reference: Type.String(),
    description: Type.String(),
    return_url: Type.Union([Type.String(), Type.Null()]),
    hosted_url: Type.String({ description: 'Send the holder here to pay with PIN + password.' }),
    hold_expires_at: Type.Union([Type.String(), Type.Null()]),
    created: Type.String(),
    parts: Type.Array(PaymentPartSchema, { description: 'One share per card that paid.' }),
  },
  { $id: 'Payment' },
);

export const RefundSchema = Type.Object(
  {
    id: Type.String({ description: 'ref_…' }),
    object: Type.Literal('refund'),
    livemode: Type.Boolean(),
    payment: Type.String(),
    amount: Amount,
    currency: Type.String(),
    fee_returned: Amount,
    reason: Type.String(),
    status: Type.Literal('succeeded'),
    created: Type.String(),
  },
  { $id: 'Refund' },
);

export const EventSchema = Type.Object(
  {
    id: Type.String({ description: 'evt_…' }),
    object: Type.Literal('event'),
    type: Type.String(),
    livemode: Type.Boolean(),
    created: Type.String(),
    data: Type.Object({ object: Type.Unknown() }),
  },
  { $id: 'Event' },
);

export const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('webhook_delivery'),
    event: Type.String(),
    url: Type.String(),
    status: Type.String(),
    attempts: Type.Integer(),
    next_attempt_at: Type.Union([Type.String(), Type.Null()]),
    last_status_code: Type.Union([Type.Integer(), Type.Null()]),
    last_error: Type.Union([Type.String(), Type.Null()]),
    delivered_at: Type.Union([Type.String(), Type.Null()]),
    created: Type.String(),
  },
  { $id: 'WebhookDelivery' },
);

export function listOf<T extends ReturnType<typeof Type.Object>>(item: T, id: string) {
  return Type.Object(
    { object: Type.Literal('list'), data: Type.Array(item), has_more: Type.Boolean() },
    { $id: id },
  );
}

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  starting_after: Type.Optional(Type.String({ maxLength: 64 })),
});

export const CreatePaymentBody = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    order_reference: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    return_url: Type.Optional(Type.String({ maxLength: 2000 })),
    capture_mode: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('manual')])),
    hold_lifetime_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 2_592_000 })),
  },
  { additionalProperties: false },
);
export type CreatePaymentBody = Static<typeof CreatePaymentBody>;

export const CaptureBody = Type.Object(
  { amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 })) },
  { additionalProperties: false },
);

export const RefundBody = Type.Object(
  {
    payment: Type.String({ maxLength: 64 }),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 })),
    reason: Type.Optional(
      Type.Union([
        Type.Literal('requested_by_customer'),
        Type.Literal('duplicate'),
        Type.Literal('fraudulent'),
        Type.Literal('other'),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const ChargeBody = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    order_reference: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    pin: Type.String({ maxLength: 64, description: 'The card PIN (never logged).' }),
    password: Type.String({ maxLength: 32, description: 'The holder password (never logged).' }),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const WebhookAttemptSchema = Type.Object({
  attempt: Type.Integer({ minimum: 1, description: '1 for the first try, 2 for the first retry…' }),
  at: Type.String({ description: 'When the request was sent.' }),
  status_code: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Your endpoint’s HTTP status; null when there was no answer.',
  }),
  error: Type.Union([Type.String(), Type.Null()]),
  duration_ms: Type.Integer({ minimum: 0 }),
});

export const DeliveryDetailSchema = Type.Object(
  {
    ...DeliverySchema.properties,
    attempt_log: Type.Array(WebhookAttemptSchema, { description: 'Every attempt, oldest first.' }),
  },
  { $id: 'WebhookDeliveryDetail' },
);

export const DeliveryListQuery = Type.Intersect([
  ListQuery,
  Type.Object({
    event: Type.Optional(Type.String({ maxLength: 64, description: 'Only this event’s.' })),
  }),
]);

/** Headers every POST carries: documented here so generated clients know they are required. */
export const PostHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: '^[\\x21-\\x7e]+$',
    description: 'Makes the call safe to retry: the first answer is stored and replayed.',
  }),
  'onepin-signature': Type.String({
    maxLength: 200,
    description: 't=<unix seconds>,n=<nonce>,v1=<hex HMAC-SHA256> (see docs/api.md)',
  }),
});

/** The error answers every route may give (the body is always the Error object). */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  402: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  423: ErrorSchema,
  429: ErrorSchema,
  500: ErrorSchema,
};

/** OpenAPI security requirements: every call carries the key; POSTs are also signed. */
export const security = [{ apiKey: [] }];
export const signedSecurity = [{ apiKey: [], signature: [] }];
