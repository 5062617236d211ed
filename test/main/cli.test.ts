import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { authenticate, type KeyRing } from '../../src/cards/index.ts';
import { limits } from '../../src/kernel/index.ts';
import { openApp } from '../../src/main/app.ts';
import { parseKeyFile, writeKeyFile } from '../../src/main/keys-file.ts';
import { testKeyRing, testPaymentKeys } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';
import {
  childEnv,
  cliFails,
  cliOk,
  createPgDatabase,
  mapLimit,
  parseDemoCards,
  runCli,
  sqliteAll,
  sqliteRun,
  sqliteTableCounts,
  type DemoCardLine,
} from './helpers.ts';

/** One `key  value` row of `onepin cards show`. */
function field(shown: string, key: string): string {
  const line = shown.split('\n').find((l) => l.startsWith(`${key} `));
  assert.ok(line !== undefined, `no ${key} in:\n${shown}`);
  return line.slice(key.length).trim();
}

/** Authenticates in this process against the SQLite file the CLI uses, with the given ring. */
async function authenticateIn(
  dataDir: string,
  ring: KeyRing,
  pin: string,
  password: string,
): Promise<{ ok: true; serial: string } | { ok: false; code: string }> {
  const app = await openApp({
    databaseUrl: undefined,
    dataDir,
    keys: ring,
    paymentKeys: testPaymentKeys(),
  });
  try {
    const r = await authenticate(app.cards, { pin, password });
    return r.ok ? { ok: true, serial: r.value.serial } : { ok: false, code: r.error.code };
  } finally {
    await app.close();
  }
}

describe('onepin CLI on the embedded database', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let dbFile: string;
  let keyFile: string;
  let demo: DemoCardLine[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'onepin-cli-'));
    env = childEnv({ ONEPIN_DATA_DIR: dir });
    dbFile = join(dir, 'onepin.sqlite');
    keyFile = join(dir, 'keys.json');
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('demo seed loads six demo cards and writes their PINs to an owner-only file', async () => {
    // The first command on a fresh data directory generates the demo key file, and says so.
    const first = await runCli(['demo', 'seed'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stderr,
      /^warning: generated a DEMO key file at .*keys\.json; production must supply its own with ONEPIN_KEY_FILE\n$/,
    );
    const out = first.stdout;
    const file = join(dir, 'demo-cards.txt');
    assert.match(out, /^seeded 6 demo cards; PINs and passwords are in (.+)\n$/);
    assert.ok(out.includes(file), out);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    demo = parseDemoCards(readFileSync(file, 'utf8'));
    assert.equal(demo.length, 6);
    assert.equal(new Set(demo.map((c) => c.serial)).size, 6);
    assert.equal(new Set(demo.map((c) => c.pin)).size, 6);
    assert.deepEqual(
      demo.map((c) => c.state),
      ['active', 'active', 'active', 'active', 'sold', 'issued'],
    );
    for (const c of demo.slice(0, 4)) assert.match(c.password ?? '', /^\d{4}$/);
    assert.match(demo[4]!.activation ?? '', /^\d+$/);
    assert.equal(sqliteTableCounts(dbFile).card, 6);
  });

  test('demo seed refuses a database that already has cards, and changes nothing', async () => {
    const file = join(dir, 'demo-cards.txt');
    const before = readFileSync(file, 'utf8');
    const counts = sqliteTableCounts(dbFile);
    const line = await cliFails(['demo', 'seed'], env);
    assert.match(line, /already has cards/);
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.deepEqual(sqliteTableCounts(dbFile), counts);
  });

  test('cards show prints a demo card; unknown and malformed serials exit 2', async () => {
    const first = demo[0]!;
    const shown = await cliOk(['cards', 'show', '--serial', first.serial], env);
    assert.equal(field(shown, 'serial'), first.serial);
    assert.match(field(shown, 'state'), /^active\b/);
    assert.equal(field(shown, 'balance'), `${first.balance} (held 0 KRW)`);
    assert.equal(field(shown, 'PIN'), `…${first.pin.slice(-4)}`);
    assert.ok(!shown.includes(first.pin), 'the full PIN is never shown');
    assert.equal(field(shown, 'password set'), 'yes');

    const stock = await cliOk(['cards', 'show', '--serial', demo[5]!.serial], env);
    assert.match(field(stock, 'state'), /^issued\b/);
    assert.equal(field(stock, 'balance'), '0 KRW');

    assert.match(
      await cliFails(['cards', 'show', '--serial', '99999999999'], env),
      /^error: card_not_found/,
    );
    assert.match(await cliFails(['cards', 'show', '--serial', 'abc'], env), /serial/);
    assert.match(await cliFails(['cards', 'show'], env), /--serial/);
  });

  test('cards issue writes a print run of distinct serials and grouped 20-digit PINs', async () => {
    const pinsOut = join(dir, 'print-run.csv');
    const before = sqliteTableCounts(dbFile);
    const out = await cliOk(
      ['cards', 'issue', '--denomination', '10000', '--count', '250', '--pins-out', pinsOut],
      env,
    );
    assert.match(out, /^issued 250 × 10,000 KRW cards, batch \S+, serials \d{12}–\d{12}; PINs/);
    assert.equal(statSync(pinsOut).mode & 0o777, 0o600);
    const [header, ...rows] = readFileSync(pinsOut, 'utf8').trimEnd().split('\n');
    assert.equal(header, 'serial,pin,denomination,design');
    assert.equal(rows.length, 250);
    const serials = new Set<string>();
    const pins = new Set<string>();
    for (const row of rows) {
      const m = /^(\d{12}),(\d{4}-\d{4}-\d{4}-\d{4}-\d{4}),10000,\S+$/.exec(row);
      assert.ok(m !== null, row);
      serials.add(m[1]!);
      pins.add(m[2]!);
    }
    assert.equal(serials.size, 250);
    assert.equal(pins.size, 250);
    for (const d of demo) assert.ok(!serials.has(d.serial), 'new serials follow the demo ones');
    const after = sqliteTableCounts(dbFile);
    assert.equal(after.card, before.card! + 250);
    // PINs are stored only as keyed hashes: no PIN from the print run is in the database.
    const [sample] = rows;
    const pinDigits = sample!.split(',')[1]!.replaceAll('-', '');
    const stored = sqliteAll<{ n: number }>(
      dbFile,
      'select count(*) as n from card where pin_hash = ? or pin_hash like ?',
      pinDigits,
      `%${pinDigits}%`,
    );
    assert.equal(stored[0]!.n, 0);
    const issued = await cliOk(['cards', 'show', '--serial', rows[0]!.split(',')[0]!], env);
    assert.match(field(issued, 'state'), /^issued\b/);
  });

  test('cards issue with bad arguments exits 2 with one line and changes nothing', async () => {
    const pinsOut = join(dir, 'never.csv');
    const before = sqliteTableCounts(dbFile);
    const cases: [string[], RegExp][] = [
      [['--denomination', '10000', '--count', '0'], /--count must be from 1 to 1000000/],
      [['--denomination', '10000', '--count', 'abc'], /--count must be a whole number/],
      [['--denomination', '10000', '--count', '-5'], /--count|unknown option|argument/],
      [['--denomination', '10000', '--count', '1.5'], /--count must be a whole number/],
      [
        ['--denomination', '10000', '--count', String(limits.issueCountMax + 1)],
        /--count must be from 1 to 1000000/,
      ],
      [['--denomination', '777', '--count', '1'], /no denomination 777; known: .*10000/],
      [['--count', '1'], /--denomination/],
      [['--denomination', '10000'], /--count/],
    ];
    for (const [args, expected] of cases) {
      const line = await cliFails(['cards', 'issue', ...args, '--pins-out', pinsOut], env);
      assert.match(line, expected, args.join(' '));
    }
    assert.deepEqual(sqliteTableCounts(dbFile), before);
    assert.ok(!existsSync(pinsOut), 'no print-run file for a refused issuance');
  });

  test('cards lock and unlock move a card between locked and active', async () => {
    const serial = demo[0]!.serial;
    assert.equal(
      await cliOk(['cards', 'lock', '--serial', serial, '--reason', 'test'], env),
      `card ${serial} is now locked\n`,
    );
    const locked = await cliOk(['cards', 'show', '--serial', serial], env);
    assert.equal(field(locked, 'state'), 'locked (test)');

    const again = await cliFails(['cards', 'lock', '--serial', serial, '--reason', 'test'], env);
    assert.match(again, /^error: card_state_invalid/);

    assert.equal(
      await cliOk(['cards', 'unlock', '--serial', serial, '--reason', 'checked'], env),
      `card ${serial} is now active\n`,
    );
    const active = await cliOk(['cards', 'show', '--serial', serial], env);
    assert.equal(field(active, 'state'), 'active (checked)');
    assert.match(
      await cliFails(['cards', 'unlock', '--serial', serial], env),
      /^error: card_state_invalid/,
    );
    assert.match(
      await cliFails(['cards', 'lock', '--serial', '99999999999'], env),
      /^error: card_not_found/,
    );
  });

  test('ledger verify passes, fails on a tampered account total, and passes once restored', async () => {
    const ok = await cliOk(['ledger', 'verify'], env);
    assert.match(ok, /^accounts \d+, transfers \d+, journal lines \d+$/m);
    assert.match(ok, /^KRW: posted debits (\d+) = credits \1; pending debits 0 = credits 0$/m);
    assert.match(ok, /ledger verify: OK\n$/);

    const [account] = sqliteAll<{ id: string }>(
      dbFile,
      "select id from ledger_account where code = 'card' and credits_posted > 0 order by id limit 1",
    );
    assert.ok(account !== undefined, 'a funded card account');
    const bump = (delta: number): void => {
      const changed = sqliteRun(
        dbFile,
        'update ledger_account set credits_posted = credits_posted + ? where id = ?',
        delta,
        account.id,
      );
      assert.equal(changed, 1);
    };
    bump(1);
    try {
      const r = await runCli(['ledger', 'verify'], env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^problem: account ${account.id}: totals differ`, 'm'));
      assert.match(r.stderr, /^problem: KRW: posted debits \d+ ≠ posted credits \d+$/m);
      assert.match(r.stderr, /^error: ledger verify FAILED: \d+ problem\(s\)\n$/m);
      assert.ok(!r.stdout.includes('ledger verify: OK'));
    } finally {
      bump(-1);
    }
    assert.match(await cliOk(['ledger', 'verify'], env), /ledger verify: OK\n$/);
  });

  test('keys rotate adds PIN keys, re-keys every card, and old PINs still authenticate', async () => {
    const [a, b] = demo as [DemoCardLine, DemoCardLine, ...DemoCardLine[]];
    const ring1 = parseKeyFile(readFileSync(keyFile, 'utf8'));
    assert.deepEqual(
      ring1.pinKeys.map((k) => k.id),
      ['k1'],
    );
    const cardCount = sqliteTableCounts(dbFile).card!;

    const out1 = await cliOk(['keys', 'rotate'], env);
    assert.equal(
      out1,
      `new PIN key k2 is current (key file ${keyFile}); ${cardCount} card(s) re-keyed\n`,
    );
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const ring2 = parseKeyFile(readFileSync(keyFile, 'utf8'));
    assert.deepEqual(
      ring2.pinKeys.map((k) => k.id),
      ['k1', 'k2'],
    );
    assert.ok(ring2.pinKeys[0]!.secret.equals(ring1.pinKeys[0]!.secret), 'k1 is kept');
    assert.ok(ring2.passwordKey.secret.equals(ring1.passwordKey.secret));
    assert.deepEqual(
      sqliteAll<{ pin_key_id: string }>(dbFile, 'select distinct pin_key_id from card'),
      [{ pin_key_id: 'k2/k1' }],
    );

    // Card A authenticates through the k2/k1 wrap and is re-hashed under plain k2.
    assert.deepEqual(await authenticateIn(dir, ring2, a.pin, a.password!), {
      ok: true,
      serial: a.serial,
    });
    assert.deepEqual(await authenticateIn(dir, ring2, a.pin, '9999'), {
      ok: false,
      code: 'credentials_invalid',
    });
    // The old ring alone no longer opens the re-keyed card: the rotation really happened.
    assert.deepEqual(await authenticateIn(dir, ring1, b.pin, b.password!), {
      ok: false,
      code: 'credentials_invalid',
    });

    const out2 = await cliOk(['keys', 'rotate'], env);
    assert.equal(
      out2,
      `new PIN key k3 is current (key file ${keyFile}); ${cardCount} card(s) re-keyed\n`,
    );
    const ring3 = parseKeyFile(readFileSync(keyFile, 'utf8'));
    assert.deepEqual(
      ring3.pinKeys.map((k) => k.id),
      ['k1', 'k2', 'k3'],
    );
    const chains = sqliteAll<{ serial: string; pin_key_id: string }>(
      dbFile,
      'select serial, pin_key_id from card where serial in (?, ?) order by serial',
      a.serial,
      b.serial,
    );
    assert.deepEqual(chains, [
      { serial: a.serial, pin_key_id: 'k3/k2' },
      { serial: b.serial, pin_key_id: 'k3/k2/k1' },
    ]);

    // B was never used, so its hash is a chain of two wraps; both cards still open.
    assert.deepEqual(await authenticateIn(dir, ring3, b.pin, b.password!), {
      ok: true,
      serial: b.serial,
    });
    assert.deepEqual(await authenticateIn(dir, ring3, a.pin, a.password!), {
      ok: true,
      serial: a.serial,
    });
    assert.deepEqual(await authenticateIn(dir, ring3, b.pin, '1357'), {
      ok: false,
      code: 'credentials_invalid',
    });
    assert.deepEqual(
      sqliteAll<{ serial: string; pin_key_id: string }>(
        dbFile,
        'select serial, pin_key_id from card where serial in (?, ?) order by serial',
        a.serial,
        b.serial,
      ),
      [
        { serial: a.serial, pin_key_id: 'k3' },
        { serial: b.serial, pin_key_id: 'k3' },
      ],
      'a successful PIN use moves the card to the current key',
    );
    // Another card issued before the rotations still opens after both.
    const c = demo[2]!;
    assert.deepEqual(await authenticateIn(dir, ring3, c.pin, c.password!), {
      ok: true,
      serial: c.serial,
    });
    assert.match(await cliOk(['ledger', 'verify'], env), /ledger verify: OK\n$/);
  });

  test('--help on every command exits 0; unknown commands and options exit 2', async () => {
    const helps = [
      [],
      ['db'],
      ['db', 'migrate'],
      ['demo'],
      ['demo', 'seed'],
      ['cards'],
      ['cards', 'issue'],
      ['cards', 'show'],
      ['cards', 'lock'],
      ['cards', 'unlock'],
      ['cards', 'suspend'],
      ['cards', 'resume'],
      ['ledger'],
      ['ledger', 'verify'],
      ['keys'],
      ['keys', 'rotate'],
    ];
    const counts = sqliteTableCounts(dbFile);
    const keys = readFileSync(keyFile, 'utf8');
    const results = await mapLimit(helps, 2, (args) => runCli([...args, '--help'], env));
    results.forEach((r, i) => {
      const args = helps[i]!;
      assert.equal(r.code, 0, `${args.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: onepin${args.map((a) => ` ${a}`).join('')} `));
    });
    assert.match(await cliFails(['bogus'], env), /^error: unknown command 'bogus'/);
    assert.match(await cliFails(['cards', 'bogus'], env), /^error: unknown command 'bogus'/);
    assert.match(
      await cliFails(['ledger', 'verify', '--bogus'], env),
      /^error: unknown option '--bogus'/,
    );
    // --help on a mutating command does not run it.
    assert.deepEqual(sqliteTableCounts(dbFile), counts);
    assert.equal(readFileSync(keyFile, 'utf8'), keys);
  });
});

describe('onepin keys rotate at the key limit', () => {
  let dir: string;
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test(`refuses a ${limits.pinKeysMax + 1}th PIN key and leaves the key file alone`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'onepin-cli-keys-'));
    const keyFile = join(dir, 'keys.json');
    const base = testKeyRing();
    const full: KeyRing = {
      ...base,
      pinKeys: Array.from({ length: limits.pinKeysMax }, (_, i) => ({
        id: `k${i + 1}`,
        secret: base.pinKeys[0]!.secret,
      })),
    };
    writeKeyFile(keyFile, full);
    const before = readFileSync(keyFile, 'utf8');
    const line = await cliFails(
      ['keys', 'rotate'],
      childEnv({ ONEPIN_DATA_DIR: dir, ONEPIN_KEY_FILE: keyFile }),
    );
    assert.equal(line, `error: the key file already holds ${limits.pinKeysMax} PIN keys`);
    assert.equal(readFileSync(keyFile, 'utf8'), before);
  });
});

for (const target of DATABASES.filter((t) => t.name === 'postgres')) {
  describe('onepin CLI on PostgreSQL', { skip: target.skip }, () => {
    let dir: string;
    let keyFile: string;
    let database: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'onepin-cli-pg-'));
      keyFile = join(dir, 'secrets', 'keys.json');
      writeKeyFile(keyFile, testKeyRing());
      database = await createPgDatabase(process.env.ONEPIN_TEST_DATABASE_URL ?? '');
      env = childEnv({
        ONEPIN_DATA_DIR: join(dir, 'data'),
        DATABASE_URL: database.url,
        ONEPIN_KEY_FILE: keyFile,
      });
    });

    after(async () => {
      await database?.drop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    async function pgCount(table: string): Promise<number> {
      const client = new pg.Client({ connectionString: database!.url });
      await client.connect();
      try {
        const r = await client.query<{ n: string }>(`select count(*) as n from ${table}`);
        return Number(r.rows[0]!.n);
      } finally {
        await client.end();
      }
    }

    test('db migrate applies the migrations once, then is up to date', async () => {
      assert.match(await cliOk(['db', 'migrate'], env), /^applied: .*0001_ledger.*0002_cards/);
      assert.match(
        await cliOk(['db', 'migrate'], env),
        new RegExp(`^up to date \\(postgres.*/${database!.name}\\)\\n$`),
      );
      assert.equal(await pgCount('card'), 0);
      assert.equal(await pgCount('ledger_account'), 0);
    });

    test('ledger verify passes on the empty ledger; cards show finds no card', async () => {
      const out = await cliOk(['ledger', 'verify'], env);
      assert.match(out, /^accounts 0, transfers 0, journal lines 0\n/);
      assert.match(out, /ledger verify: OK\n$/);
      assert.match(
        await cliFails(['cards', 'show', '--serial', '000000000001'], env),
        /^error: card_not_found/,
      );
    });

    test('keys rotate on PostgreSQL updates the explicit key file', async () => {
      const out = await cliOk(['keys', 'rotate'], env);
      assert.equal(out, `new PIN key k2 is current (key file ${keyFile}); 0 card(s) re-keyed\n`);
      assert.deepEqual(
        parseKeyFile(readFileSync(keyFile, 'utf8')).pinKeys.map((k) => k.id),
        ['k1', 'k2'],
      );
      assert.ok(!existsSync(join(dir, 'data', 'keys.json')), 'no key file in the data directory');
    });

    test('without ONEPIN_KEY_FILE the CLI refuses to touch secrets and writes no key', async () => {
      const noKey = { ...env };
      delete noKey.ONEPIN_KEY_FILE;
      for (const args of [
        ['ledger', 'verify'],
        ['cards', 'show', '--serial', '000000000001'],
        ['keys', 'rotate'],
        ['demo', 'seed'],
      ]) {
        const r = await runCli(args, noKey);
        assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.stdout}`);
        assert.match(r.stderr, /^error: .*ONEPIN_KEY_FILE/, args.join(' '));
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      }
      const missing = { ...env, ONEPIN_KEY_FILE: join(dir, 'nope.json') };
      const r = await runCli(['ledger', 'verify'], missing);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ONEPIN_KEY_FILE .*nope\.json does not exist/);
      assert.ok(!existsSync(join(dir, 'data', 'keys.json')), 'no demo key was generated');
      assert.ok(!existsSync(join(dir, 'data', 'demo-cards.txt')), 'no demo was seeded');
      assert.equal(await pgCount('card'), 0);
    });
  });
}
