import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Acquirer, DepositResult } from './acquirer.ts';
import { PAYMENT_ID } from './ids.ts';
import { paymentJson, refundJson } from './payment-json.ts';
import { checkCreate, checkDeposit, checkReference, checkRefund } from './request-checks.ts';

/**
 * The acquirer's merchant API under /v1: JSON in and out, `Authorization: Bearer <apiKey>` on
 * every call. Errors are `{ error: { code, message, param? } }`.
 */
export type ApiErrorCode =
  | 'unauthorized'
  | 'parameter_invalid'
  | 'route_not_found'
  | 'payment_not_found'
  | 'reference_conflict'
  | 'payment_not_cancelable'
  | 'payment_not_refundable'
  | 'amount_exceeds_refundable'
  | 'account_not_found'
  | 'amount_mismatch'
  | 'payment_not_awaiting_deposit'
  | 'internal_error';

const API_ERRORS: Record<ApiErrorCode, { readonly status: number; readonly message: string }> = {
  unauthorized: { status: 401, message: 'The API key is missing or wrong.' },
  parameter_invalid: { status: 400, message: 'A parameter is missing or malformed.' },
  route_not_found: { status: 404, message: 'No such endpoint.' },
  payment_not_found: { status: 404, message: 'No payment with that id or reference.' },
  reference_conflict: {
    status: 409,
    message: 'This reference was already used with different parameters.',
  },
  payment_not_cancelable: {
    status: 409,
    message: 'Only a payment that nobody has paid yet can be canceled.',
  },
  payment_not_refundable: { status: 409, message: 'Only a succeeded payment can be refunded.' },
  amount_exceeds_refundable: {
    status: 422,
    message: 'The refund is more than what was paid and not yet refunded.',
  },
  account_not_found: { status: 404, message: 'No virtual account with that number.' },
  amount_mismatch: {
    status: 422,
    message: 'The transfer does not match the amount due; it was refused and kept unmatched.',
  },
  payment_not_awaiting_deposit: {
    status: 409,
    message: 'The account is not waiting for a transfer (paid, canceled or past its due date).',
  },
  internal_error: { status: 500, message: 'Something went wrong at the acquirer.' },
};

export interface ApiErrorDetails {
  readonly param?: string;
  /** More detail for the developer reading the answer. */
  readonly detail?: string;
  /** Fields beside `error` (the deposit that was refused, the payment as it stands). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export async function sendApiError(
  reply: FastifyReply,
  code: ApiErrorCode,
  details: ApiErrorDetails = {},
): Promise<FastifyReply> {
  const spec = API_ERRORS[code];
  return reply.code(spec.status).send({
    error: {
      code,
      message: spec.message,
      ...(details.param !== undefined ? { param: details.param } : {}),
      ...(details.detail !== undefined ? { detail: details.detail } : {}),
    },
    ...details.extra,
  });
}

async function sendInvalid(
  reply: FastifyReply,
  problem: { readonly param: string; readonly message: string },
): Promise<FastifyReply> {
  return sendApiError(reply, 'parameter_invalid', {
    param: problem.param,
    detail: `${problem.param} ${problem.message}`,
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares digests, so the comparison takes the same time whatever the key's length. */
function keyMatches(header: string | undefined, apiKey: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(apiKey));
}

export async function registerApi(
  app: FastifyInstance,
  options: { readonly acquirer: Acquirer; readonly apiKey: string },
): Promise<void> {
  const { acquirer, apiKey } = options;
  const json = (payment: Parameters<typeof paymentJson>[0]) =>
    paymentJson(payment, acquirer.settings.baseUrl());

  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (!keyMatches(request.headers.authorization, apiKey)) {
          return sendApiError(reply, 'unauthorized');
        }
      });
      api.setErrorHandler(async (error: FastifyError, request, reply) => {
        if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
          return sendApiError(reply, 'parameter_invalid', { detail: error.message });
        }
        request.log.error({ err: error }, 'acquirer API error');
        return sendApiError(reply, 'internal_error');
      });
      api.setNotFoundHandler(async (_request, reply) => sendApiError(reply, 'route_not_found'));

      api.post('/payments', async (request, reply) => {
        const input = checkCreate(request.body);
        if (!input.ok) return sendInvalid(reply, input);
        const result = acquirer.create(input.value);
        if (result.kind === 'conflict') return sendApiError(reply, 'reference_conflict');
        return reply.code(result.kind === 'created' ? 201 : 200).send(json(result.payment));
      });

      api.get('/payments', async (request, reply) => {
        const query = request.query as Record<string, unknown>;
        const reference = checkReference(query.reference);
        if (!reference.ok) return sendInvalid(reply, reference);
        const payment = acquirer.getByReference(reference.value);
        if (payment === null) return sendApiError(reply, 'payment_not_found');
        return json(payment);
      });

      api.get<{ Params: { id: string } }>('/payments/:id', async (request, reply) => {
        const id = request.params.id;
        const payment = PAYMENT_ID.test(id) ? acquirer.get(id) : null;
        if (payment === null) return sendApiError(reply, 'payment_not_found');
        return json(payment);
      });

      api.post<{ Params: { id: string } }>('/payments/:id/cancel', async (request, reply) => {
        const id = request.params.id;
        const result = PAYMENT_ID.test(id) ? acquirer.cancel(id) : null;
        if (result === null) return sendApiError(reply, 'payment_not_found');
        if (result.kind === 'not_cancelable') {
          return sendApiError(reply, 'payment_not_cancelable', {
            extra: { payment: json(result.payment) },
          });
        }
        return json(result.payment);
      });

      api.post<{ Params: { id: string } }>('/payments/:id/refunds', async (request, reply) => {
        const id = request.params.id;
        if (!PAYMENT_ID.test(id)) return sendApiError(reply, 'payment_not_found');
        const input = checkRefund(request.body);
        if (!input.ok) return sendInvalid(reply, input);
        const result = acquirer.refund(id, input.value.amountMinor, input.value.reference);
        if (result === null) return sendApiError(reply, 'payment_not_found');
        switch (result.kind) {
          case 'refunded':
          case 'replayed':
            return reply
              .code(result.kind === 'refunded' ? 201 : 200)
              .send(refundJson(result.refund));
          case 'conflict':
            return sendApiError(reply, 'reference_conflict');
          case 'not_refundable':
            return sendApiError(reply, 'payment_not_refundable');
          case 'exceeds_refundable':
            return sendApiError(reply, 'amount_exceeds_refundable');
        }
      });

      api.post('/sandbox/deposits', async (request, reply) => {
        const input = checkDeposit(request.body);
        if (!input.ok) return sendInvalid(reply, input);
        const result = acquirer.deposit(input.value);
        return sendDeposit(reply, result, json);
      });
    },
    { prefix: '/v1' },
  );
}

async function sendDeposit(
  reply: FastifyReply,
  result: DepositResult,
  json: (payment: Parameters<typeof paymentJson>[0]) => ReturnType<typeof paymentJson>,
): Promise<FastifyReply> {
  switch (result.kind) {
    case 'matched':
      return reply.code(201).send({
        id: result.depositId,
        object: 'deposit',
        status: 'matched',
        payment: json(result.payment),
      });
    case 'amount_mismatch':
    case 'account_not_found':
      return sendApiError(reply, result.kind, {
        extra: { deposit: { id: result.depositId, object: 'deposit', status: 'unmatched' } },
      });
    case 'not_awaiting_deposit':
      return sendApiError(reply, 'payment_not_awaiting_deposit', {
        detail: `the payment is ${result.status}`,
        extra: { deposit: { id: result.depositId, object: 'deposit', status: 'unmatched' } },
      });
  }
}
