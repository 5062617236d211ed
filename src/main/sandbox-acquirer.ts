import { startSandboxAcquirer } from '../acquirer/index.ts';
import { SANDBOX_ACQUIRER_API_KEY, SANDBOX_ACQUIRER_WEBHOOK_SECRET } from './config.ts';

/**
 * `npm run sandbox-acquirer`: the stand-in card company and bank, as its own process. The
 * default key and secret are for the sandbox only; they are printed in docs and are no secret.
 */
const DEFAULT_PORT = 3100;
const SANDBOX_API_KEY = SANDBOX_ACQUIRER_API_KEY;
const SANDBOX_WEBHOOK_SECRET = SANDBOX_ACQUIRER_WEBHOOK_SECRET;

function portOf(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`ACQUIRER_PORT must be a port number, not "${value}"`);
  }
  return port;
}

function slowOf(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) {
    throw new Error(`ACQUIRER_SLOW_ANSWER_MS must be whole milliseconds, not "${value}"`);
  }
  return ms;
}

async function main(): Promise<void> {
  const env = process.env;
  const apiKey = env.ACQUIRER_API_KEY ?? SANDBOX_API_KEY;
  const webhookSecret = env.ACQUIRER_WEBHOOK_SECRET ?? SANDBOX_WEBHOOK_SECRET;
  const slowAnswerMs = slowOf(env.ACQUIRER_SLOW_ANSWER_MS);
  const acquirer = await startSandboxAcquirer({
    host: env.ACQUIRER_HOST ?? '127.0.0.1',
    port: portOf(env.ACQUIRER_PORT),
    dataFile: env.ACQUIRER_DATA_FILE ?? './data/sandbox-acquirer.sqlite',
    apiKey,
    webhookSecret,
    ...(slowAnswerMs !== undefined ? { slowAnswerMs } : {}),
    ...(env.ACQUIRER_PUBLIC_URL ? { publicUrl: env.ACQUIRER_PUBLIC_URL } : {}),
    ...(env.ACQUIRER_LOG_LEVEL ? { logLevel: env.ACQUIRER_LOG_LEVEL } : {}),
  });
  console.log(`Sandbox acquirer is running at ${acquirer.url}`);
  if (apiKey === SANDBOX_API_KEY || webhookSecret === SANDBOX_WEBHOOK_SECRET) {
    console.log('Using the documented sandbox API key / webhook secret (sandbox only).');
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void acquirer.close().then(() => process.exit(0));
  };
  // Started by `npm start`: stdin is a pipe from the parent, closed when the parent dies.
  if (env.ACQUIRER_EXIT_WITH_PARENT === '1') {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
