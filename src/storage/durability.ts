/** The database is set up so that an acknowledged commit could be lost: we refuse to run. */
export class UnsafeDurabilityError extends Error {
  override readonly name = 'UnsafeDurabilityError';
  constructor(readonly reasons: readonly string[]) {
    super(`refusing to start: unsafe durability settings: ${reasons.join('; ')}`);
  }
}
