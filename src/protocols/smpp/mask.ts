/**
 * A phone number for logs: the country code and operator prefix and the last three digits stay,
 * the digits between become `*` (`+821012345678` → `+8210*****678`). Short numbers keep less.
 */
export function maskNumber(number: string): string {
  const digits = number.replace(/[^0-9]/g, '');
  const plus = number.startsWith('+') ? '+' : '';
  if (digits.length <= 4) return `${plus}${'*'.repeat(digits.length)}`;
  const keepHead = digits.length >= 10 ? 4 : 2;
  const keepTail = digits.length >= 8 ? 3 : 2;
  const head = digits.slice(0, keepHead);
  const tail = digits.slice(digits.length - keepTail);
  return `${plus}${head}${'*'.repeat(digits.length - keepHead - keepTail)}${tail}`;
}
