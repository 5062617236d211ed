import {
  buildCca,
  readCcr,
  RESULT_CODE,
  type CreditControlHandler,
  type DiameterAnswer,
  type PeerInfo,
} from '../../../../src/protocols/diameter/index.ts';

/** The grant cap of the test handler, in seconds. */
export const GRANT_CAP_SECONDS = 60;

/** Subscription tokens the test handler treats specially. */
export const TOKENS = { noCredit: 'tok-nocredit', unknown: 'tok-unknown' } as const;

export interface SeenRequest {
  readonly sessionId: string;
  readonly requestType: string;
  readonly requestNumber: number;
  readonly retransmitted: boolean;
  readonly peer: PeerInfo;
}

/**
 * The stand-in for the credit-control business in transport tests: grants
 * min(requested, 60 s) per MSCC (with a final-unit indication when that is less than asked),
 * answers 4012 for the no-credit token and 5030 for the unknown token, and reports the session's
 * total used seconds as Cost-Information (1 won a second) so a client can check the sums.
 */
export function createTestHandler(): { handler: CreditControlHandler; seen: SeenRequest[] } {
  const usedBySession = new Map<string, number>();
  const seen: SeenRequest[] = [];
  const handler: CreditControlHandler = async (request, peer): Promise<DiameterAnswer> => {
    const read = readCcr(request);
    if (!read.ok) return read.answer;
    const { ccr } = read;
    seen.push({
      sessionId: ccr.sessionId,
      requestType: ccr.requestType,
      requestNumber: ccr.requestNumber,
      retransmitted: ccr.retransmitted,
      peer,
    });
    const token = ccr.subscriptionIds[0]?.data;
    if (token === TOKENS.noCredit) {
      return buildCca({ request: ccr, resultCode: RESULT_CODE.CREDIT_LIMIT_REACHED });
    }
    if (token === TOKENS.unknown) {
      return buildCca({ request: ccr, resultCode: RESULT_CODE.USER_UNKNOWN });
    }
    let used = usedBySession.get(ccr.sessionId) ?? 0;
    for (const mscc of ccr.mscc) for (const u of mscc.used) used += u.ccTime ?? 0;
    usedBySession.set(ccr.sessionId, used);
    const terminating = ccr.requestType === 'terminate';
    return buildCca({
      request: ccr,
      resultCode: RESULT_CODE.SUCCESS,
      mscc: ccr.mscc.map((mscc) => {
        const asked = mscc.requested?.ccTime;
        const base = {
          resultCode: RESULT_CODE.SUCCESS,
          ...(mscc.ratingGroup === undefined ? {} : { ratingGroup: mscc.ratingGroup }),
        };
        if (terminating || mscc.requested === undefined) return base;
        const grant = Math.min(asked ?? GRANT_CAP_SECONDS, GRANT_CAP_SECONDS);
        return {
          ...base,
          granted: { ccTime: grant },
          validityTime: 900,
          ...(grant < (asked ?? 0) ? { finalUnit: { action: 'TERMINATE' as const } } : {}),
        };
      }),
      costInformation: { amountMinor: BigInt(used), currency: 'KRW' },
    });
  };
  return { handler, seen };
}
