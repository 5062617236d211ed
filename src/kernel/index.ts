export { AssertionFailure, assert, unreachable } from './assert.ts';
export {
  MS_PER_DAY,
  MS_PER_SECOND,
  ManualClock,
  isoFromMs,
  systemClock,
  type Clock,
} from './clock.ts';
export { derivedId, isValidCallerId, newId, type IdPrefix } from './ids.ts';
export {
  SEAL_KEY_BYTES,
  SEAL_NONCE_BYTES,
  SEAL_TAG_BYTES,
  openBytes,
  openText,
  sealBytes,
  sealText,
  type SealedParts,
} from './seal.ts';
export { assertLimits, limits } from './limits.ts';
export {
  CURRENCY_EXPONENTS,
  formatMoney,
  isCurrency,
  parseAmountMinor,
  jsonInteger,
  type AmountParse,
  type Currency,
} from './money.ts';
export {
  ERROR_CATALOG,
  describeError,
  fail,
  ok,
  type DomainError,
  type ErrorCode,
  type ErrorType,
  type Outcome,
} from './errors.ts';
