/** SMPP 3.4 command_status values we act on (§5.1.3), and how a submit reacts to each. */
export const STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RSYSERR: 0x08,
  ESME_RINVDSTADR: 0x0b,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RMSGQFUL: 0x14,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RTHROTTLED: 0x58,
  ESME_RX_T_APPN: 0x64,
} as const;

const NAMES = new Map<number, string>(Object.entries(STATUS).map(([name, code]) => [code, name]));

/** `ESME_RTHROTTLED (0x58)`, or the hex code alone when we do not know its name. */
export function describeStatus(status: number): string {
  const hex = `0x${status.toString(16).padStart(2, '0').toUpperCase()}`;
  const name = NAMES.get(status);
  return name === undefined ? `command_status ${hex}` : `${name} (${hex})`;
}

/**
 * What a submit_sm_resp status means for the message:
 * - `ok`: accepted, the response carries the SMSC's message id;
 * - `throttle`: the SMSC is busy (throttled, queue full): pause the session, then send again;
 * - `transient`: a passing fault at the SMSC: send again, counting an attempt;
 * - `rebind`: the SMSC says we are not bound: drop the session, bind again, send again;
 * - `permanent`: the message itself is refused (bad number, bad length, …): give up on it.
 */
export type SubmitVerdict = 'ok' | 'throttle' | 'transient' | 'rebind' | 'permanent';

export function submitVerdict(status: number): SubmitVerdict {
  switch (status) {
    case STATUS.ESME_ROK:
      return 'ok';
    case STATUS.ESME_RTHROTTLED:
    case STATUS.ESME_RMSGQFUL:
      return 'throttle';
    case STATUS.ESME_RSYSERR:
    case STATUS.ESME_RX_T_APPN:
      return 'transient';
    case STATUS.ESME_RINVBNDSTS:
      return 'rebind';
    default:
      return 'permanent';
  }
}
