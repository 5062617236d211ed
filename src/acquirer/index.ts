export {
  BANK_DUE_DEFAULT_MS,
  CARD_PAGE_TTL_DEFAULT_MS,
  SLOW_ANSWER_DEFAULT_MS,
  WEBHOOK_RETRY_DELAYS_DEFAULT_MS,
  startSandboxAcquirer,
  type SandboxAcquirer,
  type SandboxAcquirerOptions,
} from './server.ts';
export { TEST_CARDS, luhnValid, type CardBehaviour, type DeclineCode } from './test-cards.ts';
