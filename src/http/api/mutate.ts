import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Outcome } from '../../kernel/index.ts';
import {
  IDEMPOTENCY_KEY,
  Refusal,
  idempotent,
  peekIdempotent,
  requestHash,
  type StoredResponse,
} from '../../payments/index.ts';
import type { Executor } from '../../storage/index.ts';
import { apiError, errorBody, statusOf } from '../shared/errors.ts';
import type { GatewayDeps } from './context.ts';

function idempotencyKeyOf(request: FastifyRequest): string {
  const header = request.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
    throw apiError('idempotency_key_required', 'Idempotency-Key');
  }
  return key;
}

function answer(reply: FastifyReply, stored: StoredResponse, replayed: boolean): FastifyReply {
  if (replayed) void reply.header('Idempotent-Replayed', 'true');
  return reply.code(stored.status).send(stored.body);
}

/**
 * The stored answer for this request's Idempotency-Key, if there is one (a 409 when the key was
 * used for another request). Lets a route skip work that must not run twice, such as checking
 * a password that may have changed since the first attempt.
 */
export async function replayIfSeen(
  deps: GatewayDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | null> {
  const principal = request.principal;
  if (principal === undefined) throw apiError('api_key_invalid');
  const key = idempotencyKeyOf(request);
  const seen = await peekIdempotent(
    deps.payments,
    principal,
    key,
    requestHash(request.method, request.url, request.body),
  );
  if (seen === null) return null;
  if (seen.conflict === true) throw apiError('idempotency_conflict', 'Idempotency-Key');
  return answer(reply, seen, true);
}

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
  const key = idempotencyKeyOf(request);
  const hash = requestHash(request.method, request.url, request.body);
  const result = await idempotent(
    deps.payments,
    principal,
    key,
    hash,
    async (tx): Promise<StoredResponse> => {
      let outcome: Outcome<unknown>;
      try {
        outcome = await work(tx);
      } catch (error) {
        // A refusal found after writing: answered as a 4xx, and idempotent() rolls the writes back.
        if (!(error instanceof Refusal)) throw error;
        outcome = { ok: false, error: error.error };
      }
      return outcome.ok
        ? { status: successStatus, body: outcome.value }
        : { status: statusOf(outcome.error.code), body: errorBody(request.id, outcome.error) };
    },
  );
  if (result.conflict === true) throw apiError('idempotency_conflict', 'Idempotency-Key');
  return answer(reply, result, result.replayed);
}
