const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO 8601 instant with an explicit offset (`2026-03-01T00:00:00+09:00`, `…Z`) to UTC
 * milliseconds, or null. The calendar is checked (no 30 February, no hour 24): Date.parse alone
 * would roll such dates over silently. A time without an offset is refused, because a tariff
 * must not change meaning with the server's time zone.
 */
export function parseIsoInstant(text: string): bigint | null {
  const m = ISO_INSTANT.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m;
  const year = Number.parseInt(y ?? '', 10);
  const month = Number.parseInt(mo ?? '', 10);
  const day = Number.parseInt(d ?? '', 10);
  const hour = Number.parseInt(h ?? '', 10);
  const minute = Number.parseInt(mi ?? '', 10);
  const second = s === undefined ? 0 : Number.parseInt(s, 10);
  if (month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  const offset = m[8] ?? 'Z';
  if (offset !== 'Z') {
    const oh = Number.parseInt(offset.slice(1, 3), 10);
    const om = Number.parseInt(offset.slice(4, 6), 10);
    if (oh > 14 || om > 59) return null;
  }
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? BigInt(ms) : null;
}
