import BetterSqlite3 from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The repository root: children run from here, like `npx onepin` and `npm start` do. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_BIN = join(REPO_ROOT, 'bin', 'onepin.js');

/** Longest a single CLI run may take before the test kills it and fails. */
const CLI_TIMEOUT_MS = 60_000;

/** The hint commander prints after a parse error (`showHelpAfterError` in src/main/cli.ts). */
export const HELP_HINT = '(run with --help for usage)';

/**
 * The parent's environment without anything that would point a child at another database, key
 * file or port, or make it think it runs under node:test.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'DATABASE_URL',
    'ONEPIN_KEY_FILE',
    'ONEPIN_DATA_DIR',
    'ONEPIN_CLI_MAIN',
    'PORT',
    'HOST',
    'LOG_LEVEL',
    'NODE_TEST_CONTEXT',
    'ACQUIRER_URL',
    'ACQUIRER_PORT',
    'SMTP_URL',
    'DIAMETER_PORT',
    'DIAMETER_HOST',
    'DIAMETER_ORIGIN_HOST',
    'DIAMETER_ORIGIN_REALM',
  ]) {
    delete env[name];
  }
  // The sandbox acquirer `npm start` runs beside the server takes a free port in tests.
  return { ...env, ACQUIRER_PORT: '0', ...extra };
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/onepin.js …args`, bounded by a timeout (then SIGKILL and a failure). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, CLI_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(
          new Error(`onepin ${args.join(' ')} did not finish in ${CLI_TIMEOUT_MS} ms\n${stderr}`),
        );
        return;
      }
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

function show(args: readonly string[], r: RunResult): string {
  return `onepin ${args.join(' ')} → code ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

/** Runs the CLI and asserts it succeeded with nothing on stderr. */
export async function cliOk(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runCli(args, env);
  assert.equal(r.code, 0, show(args, r));
  assert.equal(r.stderr, '', show(args, r));
  return r.stdout;
}

/**
 * Runs the CLI and asserts the documented failure shape: exit code 2, nothing on stdout, and one
 * `error: …` line on stderr (commander's parse errors add only its fixed usage hint after it; no
 * stack traces). Returns the error line.
 */
export async function cliFails(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runCli(args, env);
  assert.equal(r.code, 2, show(args, r));
  assert.equal(r.stdout, '', show(args, r));
  assert.ok(r.stderr.endsWith('\n'), show(args, r));
  const lines = r.stderr.slice(0, -1).split('\n');
  const [first, ...rest] = lines;
  assert.match(first ?? '', /^error: \S/, show(args, r));
  assert.ok(
    rest.length === 0 || (rest.length === 1 && rest[0] === HELP_HINT),
    `expected one error line, got:\n${r.stderr}`,
  );
  return first ?? '';
}

/** Maps with at most `limit` promises in flight (children compete for few CPUs). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next;
      next += 1;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

export interface DemoCardLine {
  readonly serial: string;
  readonly pin: string;
  readonly password: string | null;
  readonly activation: string | null;
  readonly balance: string;
  readonly state: string;
}

/** Parses demo-cards.txt (written by src/main/demo.ts): comment lines, then one card a line. */
export function parseDemoCards(text: string): DemoCardLine[] {
  const cards: DemoCardLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m =
      /^(\d{12}) {2}(\d{4}-\d{4}-\d{4}-\d{4}-\d{4}) {2}(\S+) +(\S+) +([\d,]+ [A-Z]{3}) +(\w+)$/.exec(
        line,
      );
    assert.ok(m !== null, `demo card line not understood: ${JSON.stringify(line)}`);
    cards.push({
      serial: m[1]!,
      pin: m[2]!,
      password: m[3] === '-' ? null : m[3]!,
      activation: m[4] === '-' ? null : m[4]!,
      balance: m[5]!,
      state: m[6]!,
    });
  }
  return cards;
}

/** Row counts of every table in a SQLite file, read through a read-only connection. */
export function sqliteTableCounts(file: string): Record<string, number> {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .all() as { name: string }[];
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const row = db.prepare(`select count(*) as n from "${name}"`).get() as { n: number };
      counts[name] = row.n;
    }
    return counts;
  } finally {
    db.close();
  }
}

/** One query against a SQLite file through a read-only connection. */
export function sqliteAll<T>(file: string, sqlText: string, ...params: unknown[]): T[] {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sqlText).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** One write against a SQLite file (only while no child process has it open). */
export function sqliteRun(file: string, sqlText: string, ...params: unknown[]): number {
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    return db.prepare(sqlText).run(...params).changes;
  } finally {
    db.close();
  }
}

/** A fresh, empty PostgreSQL database next to the one `adminUrl` names, and how to drop it. */
export async function createPgDatabase(
  adminUrl: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `onepin_cli_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/** A long-running child (the server) whose output can be waited on. */
export class Child {
  readonly process: ChildProcess;
  output = '';
  stdout = '';
  stderr = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: (() => void)[] = [];

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.process = spawn(process.execPath, [...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (which: 'stdout' | 'stderr') => (chunk: string) => {
      this[which] += chunk;
      this.output += chunk;
      this.wake();
    };
    this.process.stdout?.setEncoding('utf8').on('data', onData('stdout'));
    this.process.stderr?.setEncoding('utf8').on('data', onData('stderr'));
    this.exited = new Promise((resolvePromise) => {
      this.process.on('close', (code, signal) => {
        this.exit = { code, signal };
        this.wake();
        resolvePromise(this.exit);
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the first match of `pattern` in the combined output; fails on exit or timeout. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.output);
      if (m !== null) return m;
      if (this.exit !== undefined) {
        throw new Error(
          `child exited (${String(this.exit.code)}/${String(this.exit.signal)}) before ${String(pattern)}:\n${this.output}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no ${String(pattern)} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise<void>((resolvePromise) => {
        const timer = setTimeout(resolvePromise, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolvePromise();
        });
      });
    }
  }

  /** Waits (bounded) for the child to exit; rejects on timeout without killing it. */
  async waitExit(
    timeoutMs: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`child still running after ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Always safe: SIGKILLs the child if it is still running and waits for it to go. */
  async kill(): Promise<void> {
    if (this.exit !== undefined) return;
    this.process.kill('SIGKILL');
    await this.exited;
  }
}
