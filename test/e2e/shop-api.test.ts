// The demo shop's typed client (examples/shop/src/api.d.ts) is generated from the gateway's
// OpenAPI document; this keeps the committed file from drifting from `onepin openapi`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, childEnv, cliOk, runCli } from '../main/helpers.ts';

test('examples/shop/src/api.d.ts is what `onepin openapi` generates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'onepin-openapi-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'openapi.json');
  const env = childEnv({ ONEPIN_DATA_DIR: dir });
  // The first run makes the demo key file (and warns about it on stderr); the second is quiet.
  const printed = await runCli(['openapi'], env);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal((JSON.parse(printed.stdout) as { openapi: string }).openapi, '3.1.0');
  await cliOk(['openapi', '--out', file], env);
  const check = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/generate-api.ts', '--from', file, '--check'],
    { cwd: join(REPO_ROOT, 'examples', 'shop'), encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(
    check.status,
    0,
    `regenerate it (at the repo root): npx onepin openapi | npm run generate -w examples/shop -- --from -\n${check.stdout}${check.stderr}`,
  );
});

test('the demo shop type-checks against its generated client', () => {
  const tsc = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.'],
    { cwd: join(REPO_ROOT, 'examples', 'shop'), encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
});
