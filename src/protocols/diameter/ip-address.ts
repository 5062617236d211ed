/**
 * Text ⇄ bytes for the Address type (RFC 6733 §4.3.1), IPv4 and IPv6 only. IPv6 text is written
 * in the RFC 5952 canonical form, so decode → encode → decode is stable.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): Uint8Array | null {
  const match = IPV4.exec(text);
  if (match === null) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = match[i + 1] ?? '';
    if (part.length > 1 && part.startsWith('0')) return null;
    const n = Number.parseInt(part, 10);
    if (n > 255) return null;
    bytes[i] = n;
  }
  return bytes;
}

/** Parses IPv6 text, with `::` and an optional dotted IPv4 tail; null when it is not IPv6. */
export function parseIpv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null;
  let head = text;
  let tail4: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  if (lastColon !== -1 && text.includes('.', lastColon)) {
    tail4 = parseIpv4(text.slice(lastColon + 1));
    if (tail4 === null) return null;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const left = groupsOf(halves[0] ?? '');
  const right = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (left === null || right === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  if (tail4 !== null) bytes.set(tail4, 12);
  return bytes;
}

export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/** RFC 5952: lower case, no leading zeros, the first longest run of two or more zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** IANA address family numbers used by the Address type. */
export const ADDRESS_FAMILY = { ipv4: 1, ipv6: 2 } as const;

/** The family and bytes of an address written as text; null when it is neither IPv4 nor IPv6. */
export function addressBytes(text: string): { family: number; bytes: Uint8Array } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: ADDRESS_FAMILY.ipv4, bytes: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== null) return { family: ADDRESS_FAMILY.ipv6, bytes: v6 };
  return null;
}

/** "::ffff:127.0.0.1" (how Node reports IPv4 on a dual-stack socket) → "127.0.0.1". */
export function unmapIpv4(text: string): string {
  const match = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(text);
  return match?.[1] ?? text;
}
