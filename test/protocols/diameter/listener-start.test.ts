import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readConfig } from '../../../src/main/config.ts';
import { avp, firstValue } from '../../../src/protocols/diameter/index.ts';
import { Child, childEnv } from '../../main/helpers.ts';
import { TestPeer, cer } from './support/test-peer.ts';

describe('DIAMETER_* configuration', () => {
  test('unset or empty DIAMETER_PORT: no listener', () => {
    assert.equal(readConfig({}).diameter, undefined);
    assert.equal(readConfig({ DIAMETER_PORT: '' }).diameter, undefined);
  });

  test('DIAMETER_PORT turns it on, with the documented defaults', () => {
    assert.deepEqual(readConfig({ DIAMETER_PORT: '3868' }).diameter, {
      port: 3868,
      host: '127.0.0.1',
      originHost: 'ocs.onepin.local',
      originRealm: 'onepin.local',
    });
    assert.deepEqual(
      readConfig({
        DIAMETER_PORT: '0',
        DIAMETER_HOST: '0.0.0.0',
        DIAMETER_ORIGIN_HOST: 'ocs.example.net',
        DIAMETER_ORIGIN_REALM: 'example.net',
      }).diameter,
      { port: 0, host: '0.0.0.0', originHost: 'ocs.example.net', originRealm: 'example.net' },
    );
  });

  test('a DIAMETER_PORT that is not a port stops the start', () => {
    assert.throws(() => readConfig({ DIAMETER_PORT: 'diameter' }), /DIAMETER_PORT must be a port/);
    assert.throws(() => readConfig({ DIAMETER_PORT: '70000' }), /DIAMETER_PORT must be a port/);
  });
});

const LISTENING =
  /Diameter credit control \(application 4\) listens on 127\.0\.0\.1:(\d+) as ocs\.onepin\.local \(realm onepin\.local\)\n/;

describe('npm start with DIAMETER_PORT', () => {
  let dir: string;
  let child: Child | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'onepin-diameter-start-'));
  });
  after(async () => {
    await child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('listens, answers a CER with CEA 2001, and says goodbye with DPR on SIGTERM', async () => {
    child = new Child(
      ['--import', 'tsx', 'src/main/server.ts'],
      childEnv({
        PORT: '0',
        HOST: '127.0.0.1',
        ONEPIN_DATA_DIR: dir,
        LOG_LEVEL: 'info',
        DIAMETER_PORT: '0',
      }),
    );
    const server = child;
    const port = Number((await server.waitFor(LISTENING, 60_000))[1]);
    assert.ok(port > 0, 'DIAMETER_PORT=0 picks a free port, and the line names it');

    const peer = await TestPeer.connect(port);
    try {
      peer.send(cer([avp('Auth-Application-Id', 4)]));
      const cea = await peer.next();
      assert.equal(cea.commandCode, 257);
      assert.equal(firstValue(cea.avps, 'Result-Code'), 2001);
      assert.equal(firstValue(cea.avps, 'Origin-Host'), 'ocs.onepin.local');
      assert.equal(firstValue(cea.avps, 'Origin-Realm'), 'onepin.local');
      assert.equal(firstValue(cea.avps, 'Auth-Application-Id'), 4);

      server.process.kill('SIGTERM');
      const dpr = await peer.next(10_000);
      assert.equal(dpr.commandCode, 282, 'the listener closes first, telling its peers');
      assert.equal(dpr.flags.request, true);
    } finally {
      peer.destroy();
    }
    const exit = await server.waitExit(10_000);
    assert.deepEqual(exit, { code: 0, signal: null }, server.output);
  });
});
