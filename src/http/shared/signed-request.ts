import type { FastifyRequest } from 'fastify';
import type { Outcome } from '../../kernel/index.ts';
import { rememberSignature, verifySignature, type PaymentsContext } from '../../payments/index.ts';
import { apiError } from './errors.ts';

/** The secret of `Authorization: Bearer <secret>`, or undefined. */
export function bearerSecret(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  return /^bearer +(\S+)$/i.exec(header)?.[1];
}

function firstHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The request signature every key-holding caller sends (merchants, agents, carriers): a fresh
 * `OnePIN-Signature` over timestamp, method, path, Idempotency-Key and body digest under the
 * key's signing secret, accepted once (a captured request cannot act again). Throws the coded
 * 401 otherwise.
 */
export async function checkRequestSignature(
  request: FastifyRequest,
  input: {
    readonly payments: PaymentsContext;
    readonly keyId: string;
    readonly signingSecret: string;
    readonly nowMs: bigint;
  },
): Promise<void> {
  const idempotencyKey = firstHeader(request, 'idempotency-key');
  const check = verifySignature({
    header: firstHeader(request, 'onepin-signature'),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    secret: input.signingSecret,
    method: request.method,
    path: request.url,
    body: request.rawBody ?? '',
    nowS: Math.floor(Number(input.nowMs) / 1000),
  });
  if (!check.ok) throw apiError(check.code);
  if (!(await rememberSignature(input.payments, input.keyId, check.signature))) {
    throw apiError('signature_replayed');
  }
}

/** The value of an outcome, or its error thrown as the coded API error. */
export function valueOrThrow<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw apiError(outcome.error.code, outcome.error.param, outcome.error.detail);
  return outcome.value;
}
