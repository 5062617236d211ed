import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOG, type DomainError, type ErrorCode } from '../../kernel/index.ts';

/**
 * The one place domain codes become HTTP: the status comes from the catalog, the body is the
 * Stripe-style error object. Messages never carry a secret.
 */
export interface ErrorBody {
  readonly error: {
    readonly type: string;
    readonly code: ErrorCode;
    readonly message: string;
    readonly param?: string;
    readonly detail?: string;
    readonly request_id: string;
  };
}

export function errorBody(requestId: string, error: DomainError): ErrorBody {
  const spec = ERROR_CATALOG[error.code];
  return {
    error: {
      type: spec.type,
      code: error.code,
      message: spec.message,
      ...(error.param !== undefined ? { param: error.param } : {}),
      ...(error.detail !== undefined ? { detail: error.detail } : {}),
      request_id: requestId,
    },
  };
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOG[code].status;
}

/** Thrown from hooks and handlers; the error handler answers with it. */
export class ApiError extends Error {
  constructor(readonly domain: DomainError) {
    super(domain.code);
  }
}

export function apiError(code: ErrorCode, param?: string, detail?: string): ApiError {
  return new ApiError({
    code,
    ...(param !== undefined ? { param } : {}),
    ...(detail !== undefined ? { detail } : {}),
  });
}

export async function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: DomainError,
): Promise<FastifyReply> {
  return reply.code(statusOf(error.code)).send(errorBody(request.id, error));
}
