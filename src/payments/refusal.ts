import { fail, type DomainError, type ErrorCode, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Database, type Executor } from '../storage/index.ts';

/**
 * An expected refusal discovered after the transaction already wrote something: thrown so the
 * whole transaction rolls back, then turned back into an ordinary failed Outcome.
 */
export class Refusal extends Error {
  constructor(readonly error: DomainError) {
    super(error.code);
  }
}

export function refuse(code: ErrorCode, param?: string, detail?: string): never {
  const outcome = fail(code, param, detail);
  if (outcome.ok) throw new Error('unreachable');
  throw new Refusal(outcome.error);
}

/** Runs `work` in a write transaction; a Refusal rolls it back and becomes a failed Outcome. */
export async function refusable<T>(
  db: Database,
  work: (tx: Executor) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  try {
    return await writeTransaction(db, async (tx) => {
      const outcome = await work(tx);
      if (!outcome.ok) throw new Refusal(outcome.error);
      return outcome;
    });
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, error: error.error };
    throw error;
  }
}
