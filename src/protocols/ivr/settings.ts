/**
 * Timeouts and limits of the calling-card menu (telecom charging notes §4.2; A2Billing's
 * `number_try` and the Asterisk `L(x:61000:…)` warning). Every prompt has a timeout: a prompt
 * nobody answers is asked again at most `promptTries` times in all, then the call ends.
 */
export interface IvrSettings {
  /** The first menu (language, buy a card). */
  readonly menuTimeoutSeconds: number;
  /** PIN, password and destination prompts: silence before the first key and between keys. */
  readonly digitsTimeoutSeconds: number;
  /** The short menus after a call and after "not enough credit". */
  readonly shortMenuTimeoutSeconds: number;
  /** How many times one prompt is asked (no input or invalid input) before the call ends. */
  readonly promptTries: number;
  /** Wrong PIN/password pairs per call before the call ends (each also counts on the card). */
  readonly authTries: number;
  /**
   * The warning is played this many seconds before the card's last grant runs out (the final
   * grant is dialled as two legs around it). 0: no warning, every grant is one leg (for a
   * platform that re-dials on every <Dial>; see docs/ivr.md).
   */
  readonly warningSeconds: number;
  /** An audio file (e.g. a beep) played before the spoken warning; null: the words only. */
  readonly warningToneUrl: string | null;
}

export const DEFAULT_IVR_SETTINGS: IvrSettings = {
  menuTimeoutSeconds: 5,
  digitsTimeoutSeconds: 6,
  shortMenuTimeoutSeconds: 5,
  promptTries: 3,
  authTries: 3,
  warningSeconds: 60,
  warningToneUrl: null,
};

/** Settings with every number a whole number in range; throws on a configuration mistake. */
export function ivrSettings(overrides: Partial<IvrSettings> = {}): IvrSettings {
  const settings = { ...DEFAULT_IVR_SETTINGS, ...overrides };
  const ranges: readonly (readonly [keyof IvrSettings, number, number])[] = [
    ['menuTimeoutSeconds', 1, 60],
    ['digitsTimeoutSeconds', 1, 60],
    ['shortMenuTimeoutSeconds', 1, 60],
    ['promptTries', 1, 10],
    ['authTries', 1, 10],
    ['warningSeconds', 0, 600],
  ];
  for (const [name, min, max] of ranges) {
    const value = settings[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`ivr: ${name} must be a whole number from ${min} to ${max}`);
    }
  }
  if (settings.warningToneUrl !== null && !/^https?:\/\/\S+$/.test(settings.warningToneUrl)) {
    throw new Error('ivr: warningToneUrl must be an http(s) URL');
  }
  return settings;
}
