import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs freeDiameterd with OnePIN's own CCR-sending extension against a server under test.
 * The extension is compiled from test/protocols/diameter/fd/onepin_ccr_client.c once per test
 * process; each run gets its own temporary directory (configuration, scenario, answers).
 */
const FD_DIR = fileURLToPath(new URL('../fd/', import.meta.url));
const HEADER = '/usr/include/freeDiameter/extension.h';
const DICT_DIRS = [
  '/usr/lib/freeDiameter',
  '/usr/lib/x86_64-linux-gnu/freeDiameter',
  '/usr/local/lib/freeDiameter',
];

/** Longest a scenario may run before freeDiameterd is killed. */
export const SCENARIO_TIMEOUT_MS = 30_000;
/** After SIGTERM, how long freeDiameterd gets before SIGKILL. */
const KILL_GRACE_MS = 3_000;

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const dictDir = DICT_DIRS.find((dir) => existsSync(join(dir, 'dict_dcca.fdx')));

/**
 * Why the interop tests cannot run here, or false when they can. Under CI a missing piece is a
 * failure, not a skip: CI installs freediameterd, freediameter-extensions and libfreediameter-dev.
 */
export function freeDiameterUnavailable(): string | false {
  const missing: string[] = [];
  if (!onPath('freeDiameterd')) missing.push('freeDiameterd (apt: freediameterd)');
  if (dictDir === undefined) missing.push('dict_dcca.fdx (apt: freediameter-extensions)');
  if (!existsSync(HEADER)) missing.push(`${HEADER} (apt: libfreediameter-dev)`);
  if (!onPath('gcc')) missing.push('gcc');
  if (missing.length === 0) return false;
  const reason = `freeDiameter interop needs ${missing.join(', ')}`;
  if (process.env.CI !== undefined && process.env.CI !== '') {
    throw new Error(`CI is set, so the freeDiameter interop test is required: ${reason}`);
  }
  return reason;
}

let built: { dir: string; path: string } | null = null;

/** Compiles the extension into a temporary directory (once per process). */
export function buildExtension(): string {
  if (built !== null) return built.path;
  const dir = mkdtempSync(join(tmpdir(), 'onepin-fdx-'));
  const path = join(dir, 'onepin_ccr_client.fdx');
  const result = spawnSync('sh', [join(FD_DIR, 'build.sh'), path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`compiling the extension failed:\n${result.stderr}`);
  built = { dir, path };
  return path;
}

export function removeExtension(): void {
  if (built !== null) rmSync(built.dir, { recursive: true, force: true });
  built = null;
}

export interface ScenarioRun {
  /** Every JSON line the extension wrote, in order. */
  readonly lines: readonly Record<string, unknown>[];
  /** freeDiameterd's own output, for failure messages. */
  readonly output: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
}

export interface ScenarioOptions {
  readonly serverPort: number;
  /** The server's Origin-Host / realm, which freeDiameter checks in the CEA. */
  readonly serverHost: string;
  readonly serverRealm: string;
  /** Scenario steps (see docs/diameter.md); `peer`, `realm` and `output` are added here. */
  readonly steps: readonly string[];
  /** freeDiameter's Tw in seconds (at least 6). */
  readonly twTimerSeconds?: number;
  /**
   * freeDiameter's Diameter identity, default `fd.test`. Its Session-Ids are
   * `<identity>;<second it started>;<counter>`: runs against one long-lived engine use a new
   * identity each, so that two runs started in the same second never share a Session-Id.
   */
  readonly identity?: string;
  readonly timeoutMs?: number;
}

/** Runs one scenario: freeDiameterd starts, connects, runs the steps, disconnects and exits. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioRun> {
  const extension = buildExtension();
  const dir = mkdtempSync(join(tmpdir(), 'onepin-fd-'));
  try {
    const answers = join(dir, 'answers.jsonl');
    const scenario = join(dir, 'scenario.txt');
    writeFileSync(
      scenario,
      [
        `peer ${options.serverHost}`,
        `realm ${options.serverRealm}`,
        `output ${answers}`,
        ...options.steps,
        'end',
        '',
      ].join('\n'),
    );
    const fields: Record<string, string> = {
      IDENTITY: options.identity ?? 'fd.test',
      REALM: options.serverRealm,
      TW_TIMER: String(options.twTimerSeconds ?? 30),
      DICT_DIR: dictDir ?? '',
      SERVER_HOST: options.serverHost,
      SERVER_PORT: String(options.serverPort),
      EXTENSION: extension,
      SCENARIO: scenario,
    };
    const template = readFileSync(join(FD_DIR, 'fd.conf.template'), 'utf8');
    const conf = join(dir, 'fd.conf');
    writeFileSync(
      conf,
      template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => fields[key] ?? ''),
    );

    const child = spawn('freeDiameterd', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      // bounded: the tail is what explains a failure
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const exitCode = await new Promise<number | null>((resolve) => {
      const stop = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
      }, options.timeoutMs ?? SCENARIO_TIMEOUT_MS);
      child.on('exit', (code) => {
        clearTimeout(stop);
        resolve(code);
      });
      child.on('error', () => {
        clearTimeout(stop);
        resolve(null);
      });
    });
    const lines = existsSync(answers)
      ? readFileSync(answers, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>)
      : [];
    return { lines, output, exitCode, timedOut };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The answer line with this label, or a failure that shows the run. */
export function answer(run: ScenarioRun, label: string): Record<string, unknown> {
  const found = run.lines.find((line) => line.step === 'answer' && line.label === label);
  if (found === undefined) {
    throw new Error(
      `no answer "${label}" in ${JSON.stringify(run.lines)}\n--- freeDiameterd ---\n${run.output}`,
    );
  }
  return found;
}
