import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How long `npm start` waits for the sandbox acquirer to say where it listens. */
const ACQUIRER_READY_TIMEOUT_MS = 30_000;
const ENTRY = fileURLToPath(new URL('./sandbox-acquirer.ts', import.meta.url));

export interface AcquirerChild {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The default set-up runs the sandbox acquirer as its own process (as a real card company is
 * another system): started here, its URL read from its first line, stopped with us.
 */
export async function startAcquirerChild(options: {
  readonly port: number;
  readonly dataFile: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
}): Promise<AcquirerChild> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: {
      ...process.env,
      ACQUIRER_PORT: String(options.port),
      ACQUIRER_HOST: '127.0.0.1',
      ACQUIRER_DATA_FILE: options.dataFile,
      ACQUIRER_API_KEY: options.apiKey,
      ACQUIRER_WEBHOOK_SECRET: options.webhookSecret,
      // The child watches this pipe: when we die (even by SIGKILL) it closes, and the child exits.
      ACQUIRER_EXIT_WITH_PARENT: '1',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error('the sandbox acquirer did not start in time'));
    }, ACQUIRER_READY_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = /running at (http:\/\/\S+)/.exec(seen);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox acquirer exited (code ${String(code)}) before it was ready`));
    });
  });
  child.stdout?.resume();
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
