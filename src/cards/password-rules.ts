import type { ErrorCode } from '../kernel/index.ts';

export const PASSWORD_DIGITS_MIN = 4;
export const PASSWORD_DIGITS_MAX = 12;

/**
 * The holder's password is digits only, because the same card is used from a telephone keypad
 * (IVR) as well as the web. Repeated digits and straight runs are refused: they are what an
 * attacker tries first within the five attempts a card allows.
 */
export function checkPassword(password: string): ErrorCode | null {
  if (!/^[0-9]+$/.test(password)) return 'password_invalid';
  if (password.length < PASSWORD_DIGITS_MIN || password.length > PASSWORD_DIGITS_MAX) {
    return 'password_invalid';
  }
  const digits = [...password].map((d) => d.charCodeAt(0) - 48);
  const allSame = digits.every((d) => d === digits[0]);
  const step = (digits[1] ?? 0) - (digits[0] ?? 0);
  const run =
    (step === 1 || step === -1) &&
    digits.every((d, i) => i === 0 || d - (digits[i - 1] ?? 0) === step);
  return allSame || run ? 'password_too_weak' : null;
}
