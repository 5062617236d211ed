import { Type, type Static } from 'typebox';
import { errorResponses, ErrorSchema } from './schemas.ts';

/** Schemas of the real-time charging API (/api/v1/charging/…): requests, answers, OpenAPI. */

const MAX_SAFE = 9_007_199_254_740_991;
/** The engine's bounds (src/charging/limits.ts billableSecondsMax; a 32-bit request number). */
const SECONDS_MAX = 86_400;
const REQUEST_NUMBER_MAX = 4_294_967_295;

const Amount = Type.Integer({
  minimum: 0,
  maximum: MAX_SAFE,
  description: 'Minor units of the currency (won for KRW).',
});
const SignedAmount = Type.Integer({
  minimum: -MAX_SAFE,
  maximum: MAX_SAFE,
  description: 'Minor units; negative when money went back to the card (a refund).',
});
const NullableAmount = Type.Union([Amount, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

const sessionIdText = (description: string) =>
  Type.String({ minLength: 1, maxLength: 256, pattern: '^[\\x21-\\x7e]+$', description });

const SessionIdText = sessionIdText(
  'Your id for the call: 1–256 printable ASCII characters without spaces, unique per associate and mode. Percent-encode it in a path.',
);

const RequestNumber = Type.Integer({
  minimum: 0,
  maximum: REQUEST_NUMBER_MAX,
  description: 'The request’s number within the session (CC-Request-Number): the initial is 0.',
});

const Seconds = (description: string) =>
  Type.Integer({ minimum: 0, maximum: SECONDS_MAX, description });

const Service = Type.Union(
  [Type.Literal('call'), Type.Literal('voicemail'), Type.Literal('sms'), Type.Literal('content')],
  { description: 'What is charged: seconds of a call or voicemail, units of sms or content.' },
);

const Token = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'The subscriber token (`st_…`) from POST /charging/subscribers.',
});

const DialledNumber = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'The number as dialled (`010-1234-5678`, `+81 3 1234 5678`, `001 1 212…`).',
});

/** Every error a charging route may answer; rating refusals are 422. */
export const chargingErrorResponses = { ...errorResponses, 422: ErrorSchema };

/** Charging POSTs are signed; they need no Idempotency-Key (the request number is the key). */
export const ChargingPostHeaders = Type.Object({
  'onepin-signature': Type.String({
    maxLength: 200,
    description: 't=<unix seconds>,n=<nonce>,v1=<hex HMAC-SHA256> (see docs/api.md)',
  }),
  'idempotency-key': Type.Optional(
    Type.String({
      maxLength: 255,
      description:
        'Not needed here: (session id, request number) already makes a retry safe. If sent, it is part of the signed string and otherwise ignored.',
    }),
  ),
});

export const SubscriberBody = Type.Object(
  {
    pin: Type.String({ maxLength: 64, description: 'The card PIN (never logged).' }),
    password: Type.String({ maxLength: 32, description: 'The holder password (never logged).' }),
  },
  { additionalProperties: false },
);
export type SubscriberBody = Static<typeof SubscriberBody>;

export const SubscriberTokenSchema = Type.Object(
  {
    object: Type.Literal('subscriber_token'),
    token: Type.String({ description: '`st_…`: stands for the card in charging requests.' }),
    card: Type.Object({
      currency: Type.String(),
      balance: Amount,
    }),
    expires_at: Type.String({ description: 'ISO 8601; authenticate again after it.' }),
  },
  { $id: 'SubscriberToken' },
);

export const StartSessionBody = Type.Object(
  {
    session_id: SessionIdText,
    token: Token,
    service: Service,
    number: DialledNumber,
    requested_seconds: Type.Optional(
      Type.Union([
        Seconds('Seconds asked for; absent, null or 0: the default grant.'),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type StartSessionBody = Static<typeof StartSessionBody>;

export const UpdateSessionBody = Type.Object(
  {
    request_number: RequestNumber,
    used_seconds: Seconds('Seconds used since the last report (may be more than granted).'),
    requested_seconds: Type.Optional(
      Type.Union([
        Seconds(
          'Seconds asked for next; 0: the default grant. Absent or null: commit only, grant nothing.',
        ),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type UpdateSessionBody = Static<typeof UpdateSessionBody>;

export const TerminateSessionBody = Type.Object(
  {
    request_number: RequestNumber,
    used_seconds: Seconds('Seconds used since the last report.'),
  },
  { additionalProperties: false },
);
export type TerminateSessionBody = Static<typeof TerminateSessionBody>;

export const SessionParams = Type.Object({ session_id: SessionIdText });

export const EventBody = Type.Object(
  {
    action: Type.Union(
      [
        Type.Literal('debit'),
        Type.Literal('refund'),
        Type.Literal('balance'),
        Type.Literal('price'),
      ],
      { description: 'debit (charge at once), refund, balance (check), price (enquiry)' },
    ),
    event_id: Type.Optional(
      sessionIdText(
        'debit: your id for the event (as a session id); refund: the event or session id of the charge to give back.',
      ),
    ),
    request_number: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: REQUEST_NUMBER_MAX,
        description: 'debit: default 0; refund: required, higher than any used for that id.',
      }),
    ),
    token: Type.Optional(Token),
    service: Type.Optional(Service),
    number: Type.Optional(DialledNumber),
    units: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: SECONDS_MAX,
        description: 'Seconds (call, voicemail) or units (sms, content).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EventBody = Static<typeof EventBody>;

const RatingSchema = Type.Object({
  service: Type.String(),
  number_e164: Type.String({ description: 'The number in E.164 digits ("" for no number).' }),
  prefix: Type.String({ description: 'The destination prefix that matched.' }),
  destination_id: Type.String(),
  destination_name: Type.String(),
  rate_id: Type.String(),
  tariff_version: Type.Integer(),
});

export const ChargingSessionSchema = Type.Object(
  {
    object: Type.Literal('charging_session'),
    id: Type.String({ description: 'cs_…: ours, the usage record’s id.' }),
    session_id: Type.String({ description: 'Yours.' }),
    request_type: Type.Union([
      Type.Literal('initial'),
      Type.Literal('update'),
      Type.Literal('terminate'),
      Type.Literal('event'),
    ]),
    request_number: Type.Integer({ minimum: 0 }),
    status: Type.Union(
      [Type.Literal('ok'), Type.Literal('credit_limit_reached'), Type.Literal('service_denied')],
      {
        description:
          'ok; credit_limit_reached: used seconds committed, nothing more granted (end the call); service_denied: committed, the card can no longer be charged (the session is closed).',
      },
    ),
    state: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('expired')]),
    granted_seconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'Granted by this answer (units for an event); null: nothing granted.',
    }),
    final_unit: Type.Boolean({
      description: 'The balance allows no more: end the service when the grant is used.',
    }),
    validity_time_seconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'Report within this many seconds, even with seconds left.',
    }),
    charged: SignedAmount,
    reserved: Amount,
    used_seconds: Type.Integer({ minimum: 0, description: 'The session’s total so far.' }),
    cost: Amount,
    uncollected: Amount,
    refunded: Amount,
    balance: Amount,
    currency: Type.String(),
    rating: RatingSchema,
  },
  {
    $id: 'ChargingSession',
    description:
      'The answer to a charging request. `charged`: taken from the card by this request; `reserved`: held for the session now; `cost`, `uncollected`, `refunded`: the session’s totals; `balance`: the card’s available balance after it.',
  },
);

export const ChargingBalanceSchema = Type.Object(
  {
    object: Type.Literal('charging_balance'),
    currency: Type.String(),
    balance: Amount,
    enough_credit: Type.Boolean({
      description: 'The balance covers `units` of the service to the number (or is above 0).',
    }),
    max_seconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'With a service: the most seconds (units) the balance pays for now.',
    }),
    cost: Type.Union([Amount, Type.Null()], {
      description: 'With a service: the cost of `units` (default: the first block).',
    }),
  },
  { $id: 'ChargingBalance' },
);

export const ChargingPriceSchema = Type.Object(
  {
    object: Type.Literal('charging_price'),
    units: Type.Integer({ minimum: 0 }),
    billed_units: Type.Integer({ minimum: 0 }),
    cost: Amount,
    currency: Type.String(),
    rate_description: Type.String({ description: '"108 KRW/min, billed 60/6, connection 50"' }),
    rating: RatingSchema,
  },
  { $id: 'ChargingPrice' },
);

export const ChargingEventAnswerSchema = Type.Union(
  [ChargingSessionSchema, ChargingBalanceSchema, ChargingPriceSchema],
  {
    description:
      'debit and refund: a charging_session; balance: a charging_balance; price: a charging_price.',
  },
);

export const ChargingRecordSchema = Type.Object(
  {
    object: Type.Literal('charging_usage_record'),
    id: Type.String({ description: 'cs_…' }),
    session_id: Type.String(),
    kind: Type.Union([Type.Literal('session'), Type.Literal('event')]),
    state: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('expired')]),
    number: Type.String({ description: 'As you sent it ("" for an event without a number).' }),
    rating: RatingSchema,
    currency: Type.String(),
    used_seconds: Type.Integer({ minimum: 0 }),
    granted_seconds: Type.Integer({
      minimum: 0,
      description: 'The grant still open (0 once ended).',
    }),
    reserved: Amount,
    cost: Amount,
    collected: Amount,
    uncollected: Amount,
    refunded: Amount,
    balance_before: Amount,
    balance_after: NullableAmount,
    next_request_number: Type.Integer({
      minimum: 0,
      description: 'The lowest request number the session still accepts.',
    }),
    started_at: Type.String(),
    last_request_at: Type.String(),
    timer_expires_at: Type.Union([Type.String(), Type.Null()], {
      description: 'An open session silent until then is ended by its timer.',
    }),
    ended_at: NullableString,
    end_reason: Type.Union([Type.String(), Type.Null()], {
      description: 'How it ended: terminated, timer, service_denied, event; null while open.',
    }),
  },
  { $id: 'ChargingUsageRecord' },
);
