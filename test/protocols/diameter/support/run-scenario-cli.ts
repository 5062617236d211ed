// Runs a scenario file through freeDiameter against a Diameter server that is already running,
// and prints what freeDiameter decoded, one JSON line per answer. For trying a switch profile by
// hand against `npm start` with DIAMETER_PORT set:
//
//   node --import tsx test/protocols/diameter/support/run-scenario-cli.ts \
//     --port 3868 --host ocs.onepin.test --realm onepin.test \
//     test/protocols/diameter/fd/scenarios/call.scenario
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { freeDiameterUnavailable, removeExtension, runScenario } from './free-diameter.ts';

const { values, positionals } = parseArgs({
  options: {
    port: { type: 'string', default: '3868' },
    host: { type: 'string', default: 'ocs.test' },
    realm: { type: 'string', default: 'test' },
    tw: { type: 'string', default: '30' },
  },
  allowPositionals: true,
});
const file = positionals[0];
if (file === undefined) {
  console.error('usage: run-scenario-cli.ts [--port N] [--host ID] [--realm R] <scenario file>');
  process.exit(2);
}
const unavailable = freeDiameterUnavailable();
if (unavailable !== false) {
  console.error(unavailable);
  process.exit(2);
}
try {
  const run = await runScenario({
    serverPort: Number.parseInt(values.port, 10),
    serverHost: values.host,
    serverRealm: values.realm,
    twTimerSeconds: Number.parseInt(values.tw, 10),
    steps: readFileSync(file, 'utf8').split('\n'),
  });
  for (const line of run.lines) console.log(JSON.stringify(line));
  if (run.timedOut) console.error(`freeDiameterd timed out\n${run.output}`);
  process.exitCode = run.timedOut ? 1 : 0;
} finally {
  removeExtension();
}
