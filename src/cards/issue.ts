import { randomBytes } from 'node:crypto';
import { assert, fail, limits, newId, ok, type Outcome } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { validityColumns } from './card-row.ts';
import { findDenomination } from './catalogue.ts';
import { cardTables, type CardsContext } from './context.ts';
import { recordKeyChain } from './credentials.ts';
import { currentPinKey, pinHashUnder } from './keys.ts';
import { generatePins, pinLast4 } from './pin.ts';

export const SERIAL_DIGITS = 12;
/** Rows per INSERT: 20 columns × 400 rows stays under SQLite's bound-parameter limit. */
const INSERT_ROWS = 400;

export interface IssuedCard {
  readonly cardId: string;
  readonly serial: string;
  /** The only time the PIN exists in the clear: for the print run or the buyer's screen. */
  readonly pin: string;
}

export interface IssueResult {
  readonly batchId: string;
  readonly denominationId: string;
  readonly count: number;
  readonly serialFirst: string;
  readonly serialLast: string;
  readonly cards: readonly IssuedCard[];
}

export function formatSerial(n: bigint): string {
  return n.toString().padStart(SERIAL_DIGITS, '0');
}

/** A serial as typed by a person (leading zeros optional) → the stored form, or null. */
export function normalizeSerial(text: string): string | null {
  const trimmed = text.trim();
  if (!/^[0-9]{1,12}$/.test(trimmed)) return null;
  return formatSerial(BigInt(trimmed));
}

/**
 * Issues `count` new cards of a denomination: fresh PINs from the CSPRNG, stored only as keyed
 * hashes, consecutive serials, state `issued` and no value. Work goes in chunks (one transaction
 * each) so a million cards do not hold one transaction open; `onProgress` reports after each.
 */
export async function issueCards(
  ctx: CardsContext,
  input: {
    readonly denominationId: string;
    readonly count: number;
    readonly onProgress?: (done: number, total: number) => void;
    /**
     * Called with each chunk's cards (PINs in the clear) right after the chunk is committed, so
     * a print run can be written as it goes; a failure later still leaves earlier PINs saved.
     */
    readonly onChunk?: (cards: readonly IssuedCard[]) => void;
    /** Keep every PIN in the result (default true; a million-card run may turn it off). */
    readonly collect?: boolean;
    /** Test cards (false) pay only test payments; default live. */
    readonly livemode?: boolean;
  },
): Promise<Outcome<IssueResult>> {
  if (!Number.isSafeInteger(input.count) || input.count < 1 || input.count > limits.issueCountMax) {
    return fail('count_invalid', 'count');
  }
  const denomination = await findDenomination(ctx.db.kysely, input.denominationId);
  if (denomination?.onSale !== true) return fail('denomination_invalid', 'denomination');
  const nowMs = ctx.clock.nowMs();
  const key = currentPinKey(ctx.keys);
  const batchId = newId('iss');
  const count = BigInt(input.count);

  // Reserve the serial range and record the batch first, in one short transaction.
  const firstSerial = await writeTransaction(ctx.db, async (tx) => {
    const t = cardTables(tx);
    await t
      .insertInto('card_counter')
      .values({ name: 'serial', value: 0n })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await t
      .updateTable('card_counter')
      .set((eb) => ({ value: eb('value', '+', count) }))
      .where('name', '=', 'serial')
      .returning('value')
      .executeTakeFirstOrThrow();
    const first = row.value - count + 1n;
    await t
      .insertInto('card_issue_batch')
      .values({
        id: batchId,
        denomination_id: denomination.id,
        count,
        serial_first: formatSerial(first),
        serial_last: formatSerial(row.value),
        created_at_ms: nowMs,
      })
      .execute();
    return first;
  });

  const cards: IssuedCard[] = [];
  let issued = 0;
  for (let done = 0; done < input.count; done += limits.issueChunkSize) {
    const size = Math.min(limits.issueChunkSize, input.count - done);
    const pins = generatePins(size, randomBytes);
    const chunk: IssuedCard[] = [];
    const rows = pins.map((pin, i) => {
      const hash = pinHashUnder(ctx.keys, key.id, pin);
      assert(hash !== null, 'current key hashes');
      const serial = formatSerial(firstSerial + BigInt(done + i));
      const id = newId('card');
      chunk.push({ cardId: id, serial, pin });
      return {
        id,
        serial,
        pin_hash: hash,
        pin_key_id: key.id,
        pin_last4: pinLast4(pin),
        denomination_id: denomination.id,
        currency: denomination.currency,
        face_value_minor: denomination.amountMinor,
        state: 'issued',
        state_reason: 'issued',
        state_changed_at_ms: nowMs,
        account_id: null,
        failed_attempts: 0n,
        breakage_open: 0n,
        livemode: input.livemode === false ? 0n : 1n,
        ...validityColumns(denomination.validity),
        issue_batch_id: batchId,
        created_at_ms: nowMs,
      };
    });
    await writeTransaction(ctx.db, async (tx) => {
      await recordKeyChain(tx, key.id);
      for (let i = 0; i < rows.length; i += INSERT_ROWS) {
        await cardTables(tx)
          .insertInto('card')
          .values(rows.slice(i, i + INSERT_ROWS))
          .execute();
      }
    });
    input.onChunk?.(chunk);
    if (input.collect !== false) cards.push(...chunk);
    issued += chunk.length;
    input.onProgress?.(done + size, input.count);
  }
  assert(issued === input.count, 'issued as many as asked');
  return ok({
    batchId,
    denominationId: denomination.id,
    count: input.count,
    serialFirst: formatSerial(firstSerial),
    serialLast: formatSerial(firstSerial + count - 1n),
    cards,
  });
}
