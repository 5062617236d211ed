import { spend } from '../../src/cards/index.ts';
import { wireApp } from '../../src/main/app.ts';
import { openSqlite } from '../../src/storage/index.ts';

/** One SQLite connection in its own process, spending on a shared card (see concurrency.test.ts). */
interface Job {
  file: string;
  keys: {
    pinKeys: { id: string; secret: string }[];
    passwordKey: { id: string; secret: string };
    activationKey: { id: string; secret: string };
  };
  cardId: string;
  shop: string;
  prefix: string;
  count: number;
}
const job = JSON.parse(process.env.ONEPIN_SPEND_JOB ?? '{}') as Job;
const decode = (k: { id: string; secret: string }) => ({
  id: k.id,
  secret: Buffer.from(k.secret, 'base64'),
});
const db = openSqlite(job.file);
const app = wireApp(db, {
  pinKeys: job.keys.pinKeys.map(decode),
  passwordKey: decode(job.keys.passwordKey),
  activationKey: decode(job.keys.activationKey),
});
const results = await Promise.all(
  Array.from({ length: job.count }, (_, i) =>
    spend(app.cards, {
      cardId: job.cardId,
      creditAccountId: job.shop,
      amountMinor: 700n,
      currency: 'KRW',
      transferId: `${job.prefix}_${i}`,
      code: 'authorization',
      holdTimeoutMs: 600_000n,
    }),
  ),
);
await db.close();
process.stdout.write(`${results.filter((r) => r.ok).length}\n`);
