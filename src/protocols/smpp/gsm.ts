/**
 * The GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table. SMPP carries
 * data_coding 0 as one septet per octet (unpacked); the SMSC packs them for the air.
 */

/** The 128 characters of the default alphabet, by septet value (0x1B is the escape). */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: escape (0x1B) then this septet. Each such character costs 2 septets. */
const EXTENSION: readonly (readonly [string, number])[] = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

export const GSM_ESCAPE = 0x1b;

const BASIC_SEPTET = new Map<string, number>();
for (let i = 0; i < BASIC.length; i += 1) {
  const char = BASIC[i];
  // The escape is a code, not a character a message may contain.
  if (char !== undefined && i !== GSM_ESCAPE) BASIC_SEPTET.set(char, i);
}
const EXTENSION_SEPTET = new Map<string, number>(EXTENSION);

/** Septets one character takes in the default alphabet: 1, 2 (extension table) or null. */
export function gsmSeptetsOf(char: string): 1 | 2 | null {
  if (BASIC_SEPTET.has(char)) return 1;
  if (EXTENSION_SEPTET.has(char)) return 2;
  return null;
}

/** Unpacked septets (one per octet) of text made only of GSM characters. */
export function encodeGsm(chars: readonly string[]): Buffer {
  const out: number[] = [];
  for (const char of chars) {
    const basic = BASIC_SEPTET.get(char);
    if (basic !== undefined) {
      out.push(basic);
      continue;
    }
    const extended = EXTENSION_SEPTET.get(char);
    if (extended === undefined) throw new RangeError('not a GSM 03.38 character');
    out.push(GSM_ESCAPE, extended);
  }
  return Buffer.from(out);
}
