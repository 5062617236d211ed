import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Child, REPO_ROOT, childEnv, sqliteAll, sqliteRun } from '../main/helpers.ts';

/**
 * Plumbing for the crash tests: our server and the sandbox acquirer as real processes, free
 * loopback ports, and a look into the database from outside the server (as an operator would).
 */
export const SERVER_MAIN = join(REPO_ROOT, 'src', 'main', 'server.ts');
export const ACQUIRER_MAIN = join(REPO_ROOT, 'src', 'main', 'sandbox-acquirer.ts');
/** Starting a process through tsx on a busy machine takes a while; this bounds it. */
export const START_TIMEOUT_MS = 90_000;
/** How often a bounded wait looks again. */
const POLL_MS = 50;

/** A port that was free a moment ago on 127.0.0.1 (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** The ids of a process's children whose command line mentions `marker`, read from /proc (Linux). */
export function childPidsOf(pid: number, marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== pid) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes(marker)) out.push(Number(name));
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILLs a child and waits (bounded) for it to exit. Unlike `Child.kill`, this waits for the
 * process, not for its output pipes to close: a grandchild that inherited them (the acquirer
 * child of `npm start`) may keep them open after the process itself is gone.
 */
export async function killNow(child: Child, timeoutMs = 15_000): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`pid ${String(proc.pid)} still running ${timeoutMs} ms after SIGKILL`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it answers non-null, at most `timeoutMs`; fails with `what` otherwise. */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null> | T | null,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) return assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/** Read (and, while the server is down, write) our database from outside the server. */
export interface Peek {
  /** `?` placeholders on both databases; wrap counts and sums in Number() (pg answers strings). */
  all<T extends Record<string, unknown>>(sqlText: string, ...params: unknown[]): Promise<T[]>;
  run(sqlText: string, ...params: unknown[]): Promise<number>;
  close(): Promise<void>;
}

/** Rows as plain objects; counts and sums may be numbers or strings (pg), so callers Number() them. */
function plain<T extends Record<string, unknown>>(row: Record<string, unknown>): T {
  return row as T;
}

export function sqlitePeek(file: string): Peek {
  return {
    all: <T extends Record<string, unknown>>(sqlText: string, ...params: unknown[]) =>
      Promise.resolve(
        sqliteAll<Record<string, unknown>>(file, sqlText, ...params).map((r) => plain<T>(r)),
      ),
    run: (sqlText, ...params) => Promise.resolve(sqliteRun(file, sqlText, ...params)),
    close: () => Promise.resolve(),
  };
}

export async function postgresPeek(url: string): Promise<Peek> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const dollar = (sqlText: string): string => {
    let n = 0;
    return sqlText.replace(/\?/g, () => `$${(n += 1)}`);
  };
  return {
    async all<T extends Record<string, unknown>>(sqlText: string, ...params: unknown[]) {
      const result = await client.query(dollar(sqlText), params);
      return result.rows.map((r: Record<string, unknown>) => plain<T>(r));
    },
    async run(sqlText, ...params) {
      const result = await client.query(dollar(sqlText), params);
      return result.rowCount ?? 0;
    },
    close: () => client.end(),
  };
}

/** The sandbox acquirer as its own process (`npm run sandbox-acquirer`), on a free port. */
export async function startAcquirerProcess(options: {
  readonly dataFile: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
}): Promise<{ child: Child; url: string }> {
  const child = new Child(
    ['--import', 'tsx', ACQUIRER_MAIN],
    childEnv({
      ACQUIRER_PORT: '0',
      ACQUIRER_HOST: '127.0.0.1',
      ACQUIRER_DATA_FILE: options.dataFile,
      ACQUIRER_API_KEY: options.apiKey,
      ACQUIRER_WEBHOOK_SECRET: options.webhookSecret,
    }),
  );
  try {
    const match = await child.waitFor(/running at (http:\/\/\S+)/, START_TIMEOUT_MS);
    return { child, url: match[1] ?? '' };
  } catch (error) {
    await killNow(child);
    throw error;
  }
}

/** `npm start` as a process; resolves with its URL once it says it is running. */
export async function startServerProcess(
  env: Record<string, string>,
): Promise<{ child: Child; url: string }> {
  const child = new Child(
    ['--import', 'tsx', SERVER_MAIN],
    childEnv({ HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }),
  );
  try {
    const match = await child.waitFor(/OnePIN is running at (http:\/\/\S+) /, START_TIMEOUT_MS);
    return { child, url: match[1] ?? '' };
  } catch (error) {
    await killNow(child);
    throw error;
  }
}
