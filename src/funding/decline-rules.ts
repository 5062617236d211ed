import type { ErrorCode } from '../kernel/index.ts';
import type { ProviderPaymentStatus } from './types.ts';

/**
 * What a provider's decline means for the holder, as one of our error codes. Pure. A card the
 * company refuses (declined, expired, wrong CVC) is `funding_declined`; a lack of money is
 * `funding_insufficient_funds`; a code we do not know is `funding_failed` (the payment did not
 * go through, we cannot say more).
 */
export function mapDecline(code: string | undefined): ErrorCode {
  switch (code) {
    case 'card_declined':
    case 'expired_card':
    case 'incorrect_cvc':
      return 'funding_declined';
    case 'insufficient_funds':
      return 'funding_insufficient_funds';
    case undefined:
    default:
      return 'funding_failed';
  }
}

/** Statuses that never change again (a succeeded payment may still be refunded). */
export function isFinalStatus(status: ProviderPaymentStatus): boolean {
  switch (status) {
    case 'succeeded':
    case 'declined':
    case 'canceled':
    case 'expired':
      return true;
    case 'requires_action':
    case 'awaiting_deposit':
    case 'processing':
      return false;
  }
}
