/** The words of credit control (RFC 8506 §8.3, §8.41, §8.47), as OnePIN spells them. */
export type CcRequestType = 'initial' | 'update' | 'terminate' | 'event';
export type RequestedAction =
  'direct-debiting' | 'refund-account' | 'check-balance' | 'price-enquiry';
export type SubscriptionIdType = 'e164' | 'imsi' | 'sip-uri' | 'nai' | 'private';
