import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Outcome } from '../../kernel/index.ts';
import {
  IDEMPOTENCY_KEY,
  idempotent,
  requestHash,
  type StoredResponse,
} from '../../payments/index.ts';
import type { Executor } from '../../storage/index.ts';
import { apiError, errorBody, statusOf } from '../shared/errors.ts';
import type { GatewayDeps } from './context.ts';

/**
 * A mutating call: requires an Idempotency-Key, runs `work` once per key in one transaction with
 * the stored answer, and replays that answer (with `Idempotent-Replayed: true`) on a repeat.
 */
export async function mutate(
  deps: GatewayDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (tx: Executor) => Promise<Outcome<unknown>>,
  successStatus = 200,
): Promise<FastifyReply> {
  const principal = request.principal;
  if (principal === undefined) throw apiError('api_key_invalid');
  const header = request.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !IDEMPOTENCY_KEY.test(key))
    throw apiError('idempotency_key_required', 'Idempotency-Key');
  const hash = requestHash(request.method, request.url, request.body);
  const result = await idempotent(
    deps.payments,
    principal,
    key,
    hash,
    async (tx): Promise<StoredResponse> => {
      const outcome = await work(tx);
      return outcome.ok
        ? { status: successStatus, body: outcome.value }
        : { status: statusOf(outcome.error.code), body: errorBody(request.id, outcome.error) };
    },
  );
  if (result.conflict === true) throw apiError('idempotency_conflict', 'Idempotency-Key');
  if (result.replayed) void reply.header('Idempotent-Replayed', 'true');
  return reply.code(result.status).send(result.body);
}
