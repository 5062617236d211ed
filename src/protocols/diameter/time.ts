/**
 * The Time type carries NTP seconds (RFC 6733 §4.3.1, RFC 5905): seconds since 1900-01-01 in
 * 32 bits. Values with the top bit clear are read as the era after the 2036 rollover, as RFC 2030
 * §3 prescribes, so the 32 bits cover 1968–2104.
 */

const NTP_TO_UNIX_SECONDS = 2_208_988_800n;
const ERA = 0x1_0000_0000n;

export function ntpSecondsToUnixMs(ntpSeconds: number): bigint {
  const n = BigInt(ntpSeconds);
  const sinceNtpEpoch = (n & 0x8000_0000n) !== 0n ? n : n + ERA;
  return (sinceNtpEpoch - NTP_TO_UNIX_SECONDS) * 1_000n;
}

/** Whole seconds (rounded down); times outside 1968–2104 wrap, which the 32 bits cannot avoid. */
export function unixMsToNtpSeconds(unixMs: bigint): number {
  const seconds = unixMs >= 0n ? unixMs / 1_000n : (unixMs - 999n) / 1_000n;
  return Number((((seconds + NTP_TO_UNIX_SECONDS) % ERA) + ERA) % ERA);
}
