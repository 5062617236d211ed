#!/usr/bin/env node
// Runs every test file under test/ with Node's test runner. Node 20 does not expand globs and
// would run zero tests silently, so the files are listed here. Extra arguments pass through.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = find('test').sort();
if (files.length === 0) {
  console.error('no test files found under test/');
  process.exit(1);
}
const pg = process.env.ONEPIN_TEST_DATABASE_URL;
if (!pg) {
  console.log(
    'note: PostgreSQL suites will be skipped (set ONEPIN_TEST_DATABASE_URL=postgres://… to run them)',
  );
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
