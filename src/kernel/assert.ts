/**
 * Broken invariants fail loudly. Business code never catches AssertionFailure: a failed
 * assertion means the program's model of the world is wrong and continuing could move money.
 */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionFailure(`${message}: ${String(value)}`);
}
