import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { childEnv, cliFails, cliOk, runCli } from '../main/helpers.ts';

describe('onepin agents (CLI smoke test, embedded database)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onepin-agents-cli-'));
    env = childEnv({ ONEPIN_DATA_DIR: dir });
    const seed = await runCli(['demo', 'seed'], env);
    assert.equal(seed.code, 0, seed.stderr);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('add, print run, consign with approval, statement, remit, overdue', async () => {
    const added = await cliOk(
      [
        'agents',
        'add',
        '--name',
        'Corner Shop',
        '--commission',
        'den_krw_10000=500',
        '--terms-days',
        '7',
      ],
      env,
    );
    const agentId = /^(agt_[0-9a-f]+) /.exec(added)?.[1];
    assert.ok(agentId, added);
    assert.match(added, /commission den_krw_10000=500bps {2}terms 7d {2}key none/);

    const out = join(dir, 'print.csv');
    const run = await cliOk(
      [
        'agents',
        'print-run',
        '--denomination',
        'den_krw_10000',
        '--count',
        '3',
        '--design',
        'spring',
        '--out',
        out,
        '--operator',
        'alice',
      ],
      env,
    );
    const range = /cards ([0-9]{12}-[0-9]{12}) written/.exec(run)?.[1];
    assert.ok(range, run);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[1] ?? '', /^[0-9]{12},[0-9]+,den_krw_10000,10000,KRW,spring$/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    // The file is never overwritten.
    await cliFails(
      [
        'agents',
        'print-run',
        '--denomination',
        'den_krw_10000',
        '--count',
        '1',
        '--design',
        'spring',
        '--out',
        out,
        '--operator',
        'alice',
      ],
      env,
    );

    const proposed = await cliOk(
      ['agents', 'consign', 'propose', agentId, range, '--operator', 'alice'],
      env,
    );
    const csg = /^(csg_[0-9a-f]+) {2}proposed/.exec(proposed)?.[1];
    assert.ok(csg, proposed);
    const self = await cliFails(['agents', 'consign', 'approve', csg, '--operator', 'alice'], env);
    assert.match(self, /approval_self/);
    const approved = await cliOk(['agents', 'consign', 'approve', csg, '--operator', 'bob'], env);
    assert.match(approved, /consigned .* 3 cards .*proposed by alice .*decided by bob/);

    const st = await cliOk(['agents', 'statement', agentId], env);
    assert.match(st, /owed now 0 KRW, overdue 0 KRW, unsold stock 3 cards/);
    const too = await cliFails(
      ['agents', 'remit', agentId, '--amount', '100', '--reference', 'b1', '--operator', 'alice'],
      env,
    );
    assert.match(too, /remittance_exceeds_owed/);
    const first = range.split('-')[0] ?? '';
    assert.match(
      await cliOk(['agents', 'return', agentId, first, '--operator', 'bob'], env),
      /^returned 1 cards\n$/,
    );
    assert.equal(await cliOk(['agents', 'overdue'], env), 'no overdue agents\n');
    const key = await cliOk(['agents', 'key', agentId], env);
    assert.match(key, /agent key: {7}ak_[A-Za-z0-9_-]{40}\n/);
  });
});
