import { join } from 'node:path';
import { sandboxProvider } from '../funding/index.ts';
import { buildServer } from '../http/index.ts';
import { recordSmsReceipt, smtpTransport } from '../notify/index.ts';
import {
  createChargingHandler,
  createSmppGateway,
  redactSmppUrl,
  startDiameterServer,
  type DiameterServer,
} from '../protocols/index.ts';
import { startWorker } from '../jobs/index.ts';
import { openApp } from './app.ts';
import { startAcquirerChild, type AcquirerChild } from './acquirer-child.ts';
import { displayHost, readConfig } from './config.ts';
import { seedDemo } from './demo.ts';
import { loadKeys } from './keys-file.ts';

/**
 * `npm start`: the server and the worker in one process. On the embedded database it migrates,
 * loads the demo catalogue and demo cards on first start, and prints where they are.
 */
async function main(): Promise<void> {
  const config = readConfig();
  const keys = loadKeys(config);
  // The public URL is known once the server listens (PORT=0 picks a free port).
  let listeningUrl = `http://${displayHost(config.host)}:${config.port}`;
  // No ACQUIRER_URL: the sandbox acquirer runs beside us, and what it sells are test cards.
  let acquirer: AcquirerChild | null = null;
  if (config.acquirerUrl === undefined) {
    acquirer = await startAcquirerChild({
      port: config.acquirerPort,
      dataFile: join(config.dataDir, 'sandbox-acquirer.sqlite'),
      apiKey: config.acquirerApiKey,
      webhookSecret: config.acquirerWebhookSecret,
    });
  }
  const acquirerUrl = config.acquirerUrl ?? acquirer?.url ?? '';
  const app = await openApp({
    funding: sandboxProvider({
      baseUrl: acquirerUrl,
      apiKey: config.acquirerApiKey,
      webhookSecret: config.acquirerWebhookSecret,
    }),
    fundingLivemode: false,
    mailFrom: config.mailFrom,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    keys: keys.ring,
    paymentKeys: keys.payment,
    publicUrl: () => config.publicUrl ?? listeningUrl,
  });
  const server = await buildServer({
    db: app.db,
    payments: app.payments,
    cards: app.cards,
    sales: app.sales,
    charging: app.charging,
    foreign: app.foreign,
    agents: app.agents,
    carriers: app.carriers,
    ivr: {
      ...(config.ivrAuthToken !== undefined ? { authToken: config.ivrAuthToken } : {}),
      ...(config.publicUrl !== undefined ? { publicUrl: config.publicUrl } : {}),
    },
    ...(config.smtpUrl === undefined ? { mailbox: app.notify } : {}),
    logLevel: config.logLevel,
  });
  const log = server.log;
  if (keys.generated) {
    log.warn(
      { keyFile: keys.path },
      'GENERATED A DEMO KEY FILE. Production must supply its own keys with ONEPIN_KEY_FILE, stored outside the data directory.',
    );
  }
  const embedded = config.databaseUrl === undefined;
  const demo = embedded ? await seedDemo(app, config.dataDir) : null;
  // SMS to carriers over SMPP (docs/sms.md); receipts are stored before the SMSC is answered.
  const smpp =
    config.smppUrl === undefined
      ? null
      : createSmppGateway({
          url: config.smppUrl,
          sourceAddr: config.smppSourceAddr,
          window: config.smppWindow,
          log,
          onReceipt: (receipt) => recordSmsReceipt(app.notify, receipt),
        });
  smpp?.start();
  const worker = startWorker({
    db: app.db,
    ledger: app.ledger,
    cards: app.cards,
    payments: app.payments,
    clock: app.clock,
    log,
    sales: app.sales,
    notify: app.notify,
    charging: app.charging,
    foreign: app.foreign,
    emailTransport: config.smtpUrl === undefined ? null : smtpTransport(config.smtpUrl),
    smsTransport: smpp?.transport ?? null,
  });
  await server.listen({ port: config.port, host: config.host });
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${displayHost(config.host)}:${port}`;
  listeningUrl = url;
  console.log(`OnePIN is running at ${url} (database: ${app.db.describe})`);
  let diameter: DiameterServer | null = null;
  if (config.diameter !== undefined) {
    const d = config.diameter;
    diameter = await startDiameterServer({
      host: d.host,
      port: d.port,
      originHost: d.originHost,
      originRealm: d.originRealm,
      productName: 'OnePIN',
      handler: createChargingHandler(app.charging, { log }),
      log,
    });
    const where = d.host.includes(':') ? `[${d.host}]` : d.host;
    console.log(
      `Diameter credit control (application 4) listens on ${where}:${diameter.port} as ${d.originHost} (realm ${d.originRealm})`,
    );
  }
  console.log(`Card payments and bank transfers go to ${acquirerUrl}`);
  if (config.smtpUrl === undefined)
    console.log(`No SMTP_URL: e-mails are held; read them at ${url}/dev/mailbox`);
  if (config.smppUrl === undefined) console.log('No SMPP_URL: SMS stay queued in the outbox');
  else console.log(`SMS go to the SMSC at ${redactSmppUrl(config.smppUrl)}`);
  if (demo !== null)
    console.log(`Demo cards created; their PINs and passwords are in ${demo.file}`);
  else if (embedded)
    console.log(`Demo cards (if seeded earlier) are listed in ${config.dataDir}/demo-cards.txt`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    void (async () => {
      if (diameter !== null) await diameter.close();
      await server.close();
      await worker.stop();
      if (smpp !== null) await smpp.close();
      await app.close();
      if (acquirer !== null) await acquirer.stop();
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
