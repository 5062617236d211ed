/**
 * RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted and inner quotes doubled;
 * records end with CRLF. A field that a spreadsheet would run as a formula (starting with
 * = + - @ or a tab/CR) is prefixed with a single quote, unless it is a plain number. Pure.
 */
export function csvField(value: string): string {
  let text = value;
  if (/^[=+\-@\t\r]/.test(text) && !/^-?[0-9]+$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function csvDocument(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  return [header, ...rows].map(csvRecord).join('');
}

/** An account number for logs and screens: only its last four digits. */
export function maskAccount(accountNumber: string): string {
  const digits = accountNumber.replace(/[^0-9]/g, '');
  return digits.length <= 4 ? '****' : `****${digits.slice(-4)}`;
}
