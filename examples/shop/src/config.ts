/** The shop's settings, all from the environment (the values the OnePIN CLI prints as JSON). */
export interface ShopConfig {
  /** The OnePIN gateway, e.g. http://127.0.0.1:3000. */
  readonly gatewayUrl: string;
  /** The secret API key, sk_test_… (`onepin api-keys create --json` → secret). */
  readonly apiKey: string;
  /** The key's signing secret, ss_… (→ signing_secret). */
  readonly signingSecret: string;
  /** The associate's webhook secret, whsec_… (`onepin associates create --json` → webhook_secret). */
  readonly webhookSecret: string;
  readonly host: string;
  /** 0 picks a free port; the shop prints the URL it listens on. */
  readonly port: number;
  /** How browsers and the gateway reach the shop; default http://HOST:PORT. */
  readonly publicUrl: string | undefined;
}

function required(env: NodeJS.ProcessEnv, name: string, pattern: RegExp, example: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`set ${name} (${example})`);
  if (!pattern.test(value)) throw new Error(`${name} does not look like ${example}`);
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ShopConfig {
  const portText = env.SHOP_PORT ?? '4000';
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65_535)
    throw new Error(`SHOP_PORT must be a port number, got "${portText}"`);
  const trim = (url: string): string => url.replace(/\/+$/, '');
  return {
    gatewayUrl: trim(required(env, 'ONEPIN_URL', /^https?:\/\/\S+$/, 'http://127.0.0.1:3000')),
    apiKey: required(env, 'ONEPIN_API_KEY', /^sk_(test|live)_\S+$/, 'sk_test_…'),
    signingSecret: required(env, 'ONEPIN_SIGNING_SECRET', /^ss_\S+$/, 'ss_…'),
    webhookSecret: required(env, 'ONEPIN_WEBHOOK_SECRET', /^whsec_\S+$/, 'whsec_…'),
    host: env.SHOP_HOST ?? '127.0.0.1',
    port: Number(portText),
    publicUrl:
      env.SHOP_PUBLIC_URL === undefined || env.SHOP_PUBLIC_URL === ''
        ? undefined
        : trim(env.SHOP_PUBLIC_URL),
  };
}
