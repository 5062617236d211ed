import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { parseKeyFile } from '../../src/main/keys-file.ts';
import { Child, childEnv, parseDemoCards, sqliteTableCounts } from './helpers.ts';

const SERVER_ARGS = ['--import', 'tsx', 'src/main/server.ts'];
/** Start-up includes tsx compiling the sources, migrating and seeding: generous but bounded. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const RUNNING = /OnePIN is running at (http:\/\/127\.0\.0\.1:(\d+)) \(database: (.+)\)\n/;

async function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(5_000) });
}

describe('npm start on the embedded database', () => {
  let dir: string;
  let child: Child | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'onepin-server-'));
  });

  afterEach(async () => {
    await child?.kill();
    child = undefined;
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function start(): Child {
    child = new Child(
      SERVER_ARGS,
      childEnv({ PORT: '0', HOST: '127.0.0.1', ONEPIN_DATA_DIR: dir, LOG_LEVEL: 'info' }),
    );
    return child;
  }

  /** SIGTERM, then the process must exit 0 on its own within the bound. */
  async function stopGracefully(server: Child, baseUrl: string): Promise<void> {
    const t0 = Date.now();
    server.process.kill('SIGTERM');
    const exit = await server.waitExit(STOP_TIMEOUT_MS);
    assert.deepEqual(exit, { code: 0, signal: null }, server.output);
    assert.ok(Date.now() - t0 < STOP_TIMEOUT_MS);
    assert.match(server.output, /"signal":"SIGTERM".*"msg":"stopping"/);
    await assert.rejects(get(`${baseUrl}/healthz`), 'the port is closed after stopping');
  }

  test('first start generates a key, seeds the demo, serves, and stops on SIGTERM', async () => {
    const server = start();
    const running = await server.waitFor(RUNNING, START_TIMEOUT_MS);
    const [, baseUrl, port, database] = running as unknown as [string, string, string, string];
    // PORT=0 asks for a free port: the printed URL must carry the real one.
    assert.notEqual(Number(port), 0);
    const listening = await server.waitFor(
      /Server listening at http:\/\/127\.0\.0\.1:(\d+)/,
      5_000,
    );
    assert.equal(listening[1], port, 'the printed URL names the port the server listens on');
    assert.equal(database, join(dir, 'onepin.sqlite'));
    const demoFile = join(dir, 'demo-cards.txt');
    await server.waitFor(/Demo cards created; their PINs and passwords are in (.+)\n/, 5_000);
    assert.ok(
      server.stdout.includes(`Demo cards created; their PINs and passwords are in ${demoFile}\n`),
    );

    const health = await get(`${baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.match(health.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await health.json(), { status: 'ok', database: 'sqlite' });

    const home = await get(`${baseUrl}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-type') ?? '', /^text\/html/);
    const html = await home.text();
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<title>[^<]*OnePIN<\/title>/, 'the holder site’s home page');

    assert.equal((await get(`${baseUrl}/no-such-page`)).status, 404);

    const demo = parseDemoCards(readFileSync(demoFile, 'utf8'));
    assert.equal(demo.length, 6);
    assert.equal(statSync(demoFile).mode & 0o777, 0o600);
    assert.equal(sqliteTableCounts(database).card, 6);

    const keyFile = join(dir, 'keys.json');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.deepEqual(
      parseKeyFile(readFileSync(keyFile, 'utf8')).pinKeys.map((k) => k.id),
      ['k1'],
    );
    assert.ok(server.output.includes('GENERATED A DEMO KEY FILE'), server.output);
    const warning = server.output.split('\n').find((l) => l.includes('GENERATED A DEMO KEY FILE'));
    const logged = JSON.parse(warning ?? '{}') as { level?: number; keyFile?: string };
    assert.deepEqual(
      { level: logged.level, keyFile: logged.keyFile },
      { level: 40, keyFile },
      'logged as a warning naming the key file',
    );

    // The demo PINs and passwords are only in the owner-only file, never in the log.
    for (const card of demo) {
      assert.ok(!server.output.includes(card.pin), 'grouped PIN in the log');
      assert.ok(!server.output.includes(card.pin.replaceAll('-', '')), 'PIN in the log');
    }

    await stopGracefully(server, baseUrl);
  });

  test('a second start on the same data directory reuses the key and does not reseed', async () => {
    const demoFile = join(dir, 'demo-cards.txt');
    const keyFile = join(dir, 'keys.json');
    const dbFile = join(dir, 'onepin.sqlite');
    const demoBefore = readFileSync(demoFile, 'utf8');
    const keysBefore = readFileSync(keyFile, 'utf8');
    const countsBefore = sqliteTableCounts(dbFile);
    assert.equal(countsBefore.card, 6);

    const server = start();
    const running = await server.waitFor(RUNNING, START_TIMEOUT_MS);
    const baseUrl = running[1]!;
    await server.waitFor(/Demo cards \(if seeded earlier\) are listed in (.+)\n/, 5_000);
    assert.ok(server.stdout.includes(`are listed in ${demoFile}\n`), server.stdout);
    assert.ok(!server.output.includes('Demo cards created'), server.output);
    assert.ok(!server.output.includes('GENERATED A DEMO KEY FILE'), server.output);

    const health = await get(`${baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', database: 'sqlite' });

    assert.equal(readFileSync(demoFile, 'utf8'), demoBefore);
    assert.equal(readFileSync(keyFile, 'utf8'), keysBefore);
    assert.deepEqual(sqliteTableCounts(dbFile), countsBefore);

    await stopGracefully(server, baseUrl);
    assert.deepEqual(sqliteTableCounts(dbFile), countsBefore);
  });
});

describe('npm start refuses a bad configuration', () => {
  let dir: string;
  let child: Child | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'onepin-server-bad-'));
  });

  afterEach(async () => {
    await child?.kill();
    child = undefined;
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the server and expects it to exit by itself, non-zero, before it ever listens. */
  async function refused(env: Record<string, string>): Promise<Child> {
    child = new Child(SERVER_ARGS, childEnv({ PORT: '0', HOST: '127.0.0.1', ...env }));
    const exit = await child.waitExit(START_TIMEOUT_MS);
    assert.notEqual(exit.code, 0, child.output);
    assert.equal(exit.signal, null);
    assert.ok(!child.output.includes('OnePIN is running'), child.output);
    return child;
  }

  test('DATABASE_URL=postgres://… without ONEPIN_KEY_FILE exits before connecting', async () => {
    // Port 1 has no PostgreSQL: had the server tried to connect first, the message would be a
    // connection error. The key check (src/main/keys-file.ts loadKeys) comes before openApp.
    const dataDir = join(dir, 'pg-no-key');
    const t0 = Date.now();
    const server = await refused({
      ONEPIN_DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://onepin@127.0.0.1:1/onepin',
    });
    assert.ok(Date.now() - t0 < 15_000, 'refuses quickly');
    assert.match(
      server.stderr,
      /refusing to start: DATABASE_URL is set but ONEPIN_KEY_FILE is not/,
    );
    assert.doesNotMatch(server.output, /ECONNREFUSED/);
    assert.ok(!existsSync(dataDir), 'nothing was written: no data directory, no demo key');
  });

  test('an ONEPIN_KEY_FILE that does not exist is refused, and no key is generated', async () => {
    const dataDir = join(dir, 'missing-key');
    const server = await refused({
      ONEPIN_DATA_DIR: dataDir,
      ONEPIN_KEY_FILE: join(dir, 'absent.json'),
    });
    assert.match(server.stderr, /ONEPIN_KEY_FILE .*absent\.json does not exist/);
    assert.ok(!existsSync(join(dataDir, 'keys.json')));
    assert.ok(!existsSync(join(dataDir, 'demo-cards.txt')));
  });

  test('a PORT outside 0–65535 or with trailing junk is refused', async () => {
    const server = await refused({ ONEPIN_DATA_DIR: join(dir, 'bad-port'), PORT: '70000' });
    assert.match(server.stderr, /PORT must be a port number from 0 to 65535, got "70000"/);
    const junk = await refused({ ONEPIN_DATA_DIR: join(dir, 'bad-port-2'), PORT: '3000abc' });
    assert.match(junk.stderr, /PORT must be a port number from 0 to 65535, got "3000abc"/);
  });
});
