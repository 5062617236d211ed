#!/usr/bin/env node
// `npm run demo`: the gateway (server + worker, embedded database in data/demo) and the demo shop
// (examples/shop) side by side. The first run creates the associate "OnePIN Demo Shop" and a test
// API key with the CLI and remembers them in data/demo/demo-shop.json. Ctrl-C stops both.
//
// Environment: DEMO_GATEWAY_PORT (default 3000), DEMO_SHOP_PORT (default 4000),
// ONEPIN_DATA_DIR (default ./data/demo), LOG_LEVEL for the gateway (default warn).
/* global AbortSignal -- a Node global that eslint.config.js does not list */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = resolve(ROOT, process.env.ONEPIN_DATA_DIR ?? 'data/demo');
const GATEWAY_PORT = Number(process.env.DEMO_GATEWAY_PORT ?? '3000');
const SHOP_PORT = Number(process.env.DEMO_SHOP_PORT ?? '4000');
const GATEWAY_URL = `http://127.0.0.1:${GATEWAY_PORT}`;
const SHOP_URL = `http://127.0.0.1:${SHOP_PORT}`;
const STATE_FILE = join(DATA_DIR, 'demo-shop.json');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** The children's environment: ours, without anything pointing the gateway elsewhere. */
function gatewayEnv(extra = {}) {
  const env = { ...process.env, ONEPIN_DATA_DIR: DATA_DIR };
  for (const name of ['DATABASE_URL', 'ONEPIN_KEY_FILE', 'ONEPIN_PUBLIC_URL', 'HOST', 'PORT'])
    delete env[name];
  return { ...env, ...extra };
}

function onepin(args) {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'onepin.js'), ...args], {
    cwd: ROOT,
    env: gatewayEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) {
    throw new Error(`onepin ${args.slice(0, 2).join(' ')} failed:\n${run.stderr}${run.stdout}`);
  }
  return run.stdout;
}

/** The demo associate and its test key: created once, then read back from the state file. */
function demoAssociate() {
  const webhookUrl = `${SHOP_URL}/webhooks`;
  const returnUrl = `${SHOP_URL}/return`;
  if (existsSync(STATE_FILE)) {
    const state = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
    if (state.shop_url !== SHOP_URL) {
      // The shop moved to another port: point the webhook and the return URL at it.
      onepin([
        'associates',
        'update',
        '--associate',
        state.associate_id,
        '--webhook-url',
        webhookUrl,
        '--return-url',
        returnUrl,
      ]);
      state.shop_url = SHOP_URL;
      writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    }
    return state;
  }
  console.log('First run: creating the associate "OnePIN Demo Shop" and a test API key …');
  const associate = JSON.parse(
    onepin([
      'associates',
      'create',
      '--name',
      'OnePIN Demo Shop',
      '--category',
      'shopping',
      '--commission-bps',
      '250',
      '--webhook-url',
      webhookUrl,
      '--return-url',
      returnUrl,
      '--json',
    ]),
  );
  const key = JSON.parse(
    onepin(['api-keys', 'create', '--associate', associate.id, '--mode', 'test', '--json']),
  );
  const state = {
    associate_id: associate.id,
    key_id: key.key_id,
    secret: key.secret,
    signing_secret: key.signing_secret,
    webhook_secret: associate.webhook_secret,
    shop_url: SHOP_URL,
  };
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

/** Starts a child whose output lines are prefixed with its name. */
function start(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8').on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) console.log(`[${name}] ${line}`);
    });
  }
  return child;
}

async function waitReady(name, url, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${name} did not answer ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** The active demo card with the most money on it: PIN and password to try. */
function demoCard() {
  const file = join(DATA_DIR, 'demo-cards.txt');
  if (!existsSync(file)) return null;
  const cards = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s{2,}/))
    .filter((f) => f[5] === 'active')
    .map(([serial, pin, password, , balance]) => ({ serial, pin, password, balance }));
  const won = (c) => Number((c.balance ?? '0').replace(/[^0-9]/g, ''));
  return cards.sort((a, b) => won(b) - won(a))[0] ?? null;
}

async function main() {
  mkdirSync(DATA_DIR, { recursive: true });
  const state = demoAssociate();
  const children = [];
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the shop and the gateway …');
    await Promise.all(children.map(stopChild));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const gateway = start(
    'gateway',
    ['--import', 'tsx', join(ROOT, 'src', 'main', 'server.ts')],
    gatewayEnv({ PORT: String(GATEWAY_PORT), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }),
  );
  children.push(gateway);
  const shop = start(
    'shop',
    ['--import', 'tsx', join(ROOT, 'examples', 'shop', 'src', 'main.ts')],
    {
      ...process.env,
      ONEPIN_URL: GATEWAY_URL,
      ONEPIN_API_KEY: state.secret,
      ONEPIN_SIGNING_SECRET: state.signing_secret,
      ONEPIN_WEBHOOK_SECRET: state.webhook_secret,
      SHOP_PORT: String(SHOP_PORT),
      SHOP_HOST: '127.0.0.1',
    },
  );
  children.push(shop);
  for (const child of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`a demo process ended (code ${code}, signal ${signal}); stopping the other`);
      void stopAll(1);
    });
  }
  try {
    await waitReady('the gateway', `${GATEWAY_URL}/healthz`, gateway);
    await waitReady('the shop', `${SHOP_URL}/healthz`, shop);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stopAll(1);
    return;
  }
  const card = demoCard();
  console.log(`
OnePIN demo is running (data in ${DATA_DIR}).
  Shop:     ${SHOP_URL}        orders and webhooks: ${SHOP_URL}/orders
  Gateway:  ${GATEWAY_URL}        API docs: ${GATEWAY_URL}/docs
${
  card === null
    ? '  Demo cards: see the gateway output above.'
    : `  Pay with demo (test) card ${card.serial}, loaded with ${card.balance}:
    PIN       ${card.pin}
    password  ${card.password}
  All demo cards: ${join(DATA_DIR, 'demo-cards.txt')}`
}
Press Ctrl-C to stop both.
`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
