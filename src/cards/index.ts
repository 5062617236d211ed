export { activateCard, changePassword } from './activation.ts';
export { type Card } from './card-row.ts';
export {
  DEFAULT_CATALOGUE,
  findDenomination,
  listDenominations,
  upsertDenomination,
  type Denomination,
} from './catalogue.ts';
export type { CardsContext } from './context.ts';
export { authenticate, rekeyPass } from './credentials.ts';
export {
  cardByPin,
  markCardRefunded,
  rekeyCard,
  renewActivationSecret,
  resetPassword,
} from './holder-service.ts';
export {
  cardsExpiringBetween,
  expireDueCards,
  previewExpiry,
  type ExpiringCard,
  type ExpiryPreview,
  type ExpiryPreviewLine,
  type ExpiryReport,
} from './expiry.ts';
export {
  formatSerial,
  issueCards,
  normalizeSerial,
  type IssueResult,
  type IssuedCard,
} from './issue.ts';
export { checkKeyRing, currentPinKey, type KeyRing, type SecretKey } from './keys.ts';
export { OPERATOR_TRANSITIONS, changeCardState, type OperatorTransition } from './lifecycle.ts';
export { cardBalance, countCardsByState, getCard, lockCard, type CardBalance } from './lookup.ts';
export { CARDS_MIGRATIONS } from './migrations.ts';
export { checkPassword } from './password-rules.ts';
export { formatPin, normalizePin, pinLast4 } from './pin.ts';
export {
  cardAccountId,
  sellCard,
  type ActivationKind,
  type SaleChannel,
  type SaleInput,
  type SaleResult,
} from './sell.ts';
export {
  rechargeCard,
  spend,
  spendFromCard,
  type MoneyResult,
  type RechargeInput,
  type SpendInput,
} from './spend.ts';
export {
  CARD_STATES,
  TRANSITIONS,
  nextState,
  type CardState,
  type CardTransition,
} from './states.ts';
export {
  cardStatement,
  type Statement,
  type StatementEntry,
  type StatementQuery,
} from './statement.ts';
export { moveStock } from './stock.ts';
export { isExpired, type ValidityRule } from './validity.ts';
