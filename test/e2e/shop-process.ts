import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, childEnv } from '../main/helpers.ts';

const SHOP_MAIN = join(REPO_ROOT, 'examples', 'shop', 'src', 'main.ts');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface RunningShop {
  readonly url: string;
  /** Everything the shop printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts examples/shop as its own process (as `npm start` in the shop would) on a free port. */
export function startShop(env: Record<string, string>): Promise<RunningShop> {
  const child = spawn(process.execPath, ['--import', 'tsx', SHOP_MAIN], {
    cwd: join(REPO_ROOT, 'examples', 'shop'),
    env: childEnv({ ...env, SHOP_PORT: '0', SHOP_HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() =>
        reject(new Error(`the shop did not start in ${START_TIMEOUT_MS} ms:\n${output}`)),
      );
    }, START_TIMEOUT_MS);
    const onData = (chunk: string): void => {
      output += chunk;
      const match = /is running at (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ url: match[1], output: () => output, stop });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the shop exited with code ${String(code)}:\n${output}`));
    });
  });
}
