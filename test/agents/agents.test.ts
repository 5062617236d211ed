import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addAgent,
  agentStatement,
  approveConsignment,
  exportPrintRun,
  issueAgentKey,
  issuePrintRun,
  overdueAgents,
  posSale,
  proposeConsignment,
  recordRemittance,
  rejectConsignment,
  type Agent,
} from '../../src/agents/index.ts';
import { activateCard, getCard, sellCard, spend } from '../../src/cards/index.ts';
import { agentTables } from '../../src/agents/tables.ts';
import { buildServer } from '../../src/http/index.ts';
import { systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import { signatureHeader } from '../../src/payments/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestApp, type TestApp } from '../support/app.ts';
import { snapshot } from '../support/snapshot.ts';
import type { Outcome } from '../../src/kernel/index.ts';

const DAY = 86_400_000n;

function code<T>(o: Outcome<T>): string {
  return o.ok ? 'ok' : o.error.code;
}

for (const target of DATABASES) {
  describe(`selling agents (${target.name})`, { skip: target.skip }, () => {
    let t: TestApp;
    let agent: Agent;
    let other: Agent;
    const pins = new Map<string, string>();
    let serials: string[] = [];

    const verify = async (): Promise<void> => {
      const report = await verifyLedger(t.app.db);
      assert.equal(
        report.ok,
        true,
        JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
      );
    };
    const balance = async (id: string): Promise<bigint> => {
      const a = await t.app.ledger.getAccount(t.app.db.kysely, id);
      return a === undefined ? 0n : a.debitsPosted - a.creditsPosted;
    };

    before(async () => {
      t = await openTestApp(target);
      const a = await addAgent(t.app.agents, {
        name: 'Corner Shop',
        contact: 'shop@example.test',
        commission: { den_krw_10000: '500', '*': 'fixed:300' },
        termsDays: 7,
      });
      assert.ok(a.ok);
      agent = a.value;
      const b = await addAgent(t.app.agents, {
        name: 'Other Kiosk',
        contact: '',
        commission: { '*': '0' },
        termsDays: 7,
      });
      assert.ok(b.ok);
      other = b.value;
      const lines: string[] = [];
      const run = await issuePrintRun(t.app.agents, {
        denominationId: 'den_krw_10000',
        count: 10,
        design: 'spring-2026',
        operator: 'alice',
        write: (line) => lines.push(line),
      });
      assert.ok(run.ok);
      assert.equal(lines.length, 11);
      assert.equal(lines[0], 'serial,pin,denomination,face_value_minor,currency,design');
      for (const line of lines.slice(1)) {
        const [serial, pin, den, face, cur, design] = line.split(',');
        assert.ok(serial !== undefined && pin !== undefined);
        assert.deepEqual(
          [den, face, cur, design],
          ['den_krw_10000', '10000', 'KRW', 'spring-2026'],
        );
        pins.set(serial, pin);
      }
      serials = [...pins.keys()];
      assert.equal(serials[0], run.value.serialFirst);
      const second = await exportPrintRun(t.app.agents, run.value.batchId);
      assert.equal(code(second), 'print_run_exported');
    });
    after(async () => {
      await t.dispose();
    });

    const s = (i: number): string => serials[i] ?? 'missing';
    const cardOf = async (serial: string) => {
      const r = await getCard(t.app.cards, t.app.db.kysely, { serial });
      return r.ok ? r.value : undefined;
    };

    it('refuses bad consignments and changes nothing', async () => {
      const before = await snapshot(t.app.db);
      const cases: [string[], string][] = [
        [[`${s(0)}-${s(3)}`, `${s(3)}-${s(5)}`], 'serial_range_overlap'],
        [['999999999990-999999999999'], 'serial_unknown'],
        [[`${s(9)}-999999999999`], 'serial_range_invalid'],
        [['5-1'], 'serial_range_invalid'],
      ];
      for (const [ranges, want] of cases) {
        const r = await proposeConsignment(t.app.agents, {
          agentId: agent.id,
          ranges,
          operator: 'alice',
        });
        assert.equal(code(r), want, ranges.join(' '));
      }
      assert.equal(
        code(
          await proposeConsignment(t.app.agents, {
            agentId: 'agt_nope',
            ranges: [s(0)],
            operator: 'alice',
          }),
        ),
        'agent_not_found',
      );
      assert.equal(await snapshot(t.app.db), before);
    });

    it('consigns with two-person approval; self-approval and overlaps refused', async () => {
      const p = await proposeConsignment(t.app.agents, {
        agentId: agent.id,
        ranges: [`${s(0)}-${s(5)}`],
        operator: 'alice',
      });
      assert.ok(p.ok);
      assert.equal(p.value.state, 'proposed');
      assert.equal(p.value.cardCount, 6n);
      const clash = await proposeConsignment(t.app.agents, {
        agentId: other.id,
        ranges: [`${s(5)}-${s(6)}`],
        operator: 'carol',
      });
      assert.equal(code(clash), 'serial_range_overlap');
      const self = await approveConsignment(t.app.agents, { id: p.value.id, operator: 'alice' });
      assert.equal(code(self), 'approval_self');
      assert.equal((await cardOf(s(0)))?.state, 'issued');
      const ok = await approveConsignment(t.app.agents, { id: p.value.id, operator: 'bob' });
      assert.ok(ok.ok);
      assert.equal(ok.value.state, 'consigned');
      assert.equal(ok.value.proposedBy, 'alice');
      assert.equal(ok.value.decidedBy, 'bob');
      assert.equal((await cardOf(s(0)))?.state, 'consigned');
      const again = await approveConsignment(t.app.agents, { id: p.value.id, operator: 'carol' });
      assert.equal(code(again), 'consignment_state_invalid');
      // Already consigned stock cannot be proposed again.
      const dup = await proposeConsignment(t.app.agents, {
        agentId: other.id,
        ranges: [`${s(4)}-${s(7)}`],
        operator: 'carol',
      });
      assert.equal(code(dup), 'stock_not_available');
      // The other agent gets 6..7 (rejected once, then approved).
      const q = await proposeConsignment(t.app.agents, {
        agentId: other.id,
        ranges: [`${s(6)}-${s(7)}`],
        operator: 'carol',
      });
      assert.ok(q.ok);
      assert.equal(
        code(await rejectConsignment(t.app.agents, { id: q.value.id, operator: 'carol' })),
        'approval_self',
      );
      assert.equal(
        code(await rejectConsignment(t.app.agents, { id: q.value.id, operator: 'dave' })),
        'ok',
      );
      const q2 = await proposeConsignment(t.app.agents, {
        agentId: other.id,
        ranges: [`${s(6)}-${s(7)}`],
        operator: 'carol',
      });
      assert.ok(q2.ok);
      assert.ok((await approveConsignment(t.app.agents, { id: q2.value.id, operator: 'dave' })).ok);
      await verify();
    });

    it('consigned unsold cards carry no value and cannot be activated or spent', async () => {
      const card = await cardOf(s(1));
      assert.ok(card);
      assert.equal(card.state, 'consigned');
      assert.equal(card.accountId, null);
      const act = await activateCard(t.app.cards, {
        pin: pins.get(s(1)) ?? '',
        activationSecret: 'x'.repeat(24),
        password: '2580',
      });
      assert.equal(act.ok, false);
      const sp = await spend(t.app.cards, {
        cardId: card.id,
        creditAccountId: systemAccountId('KRW', 'service_revenue'),
        amountMinor: 100n,
        currency: 'KRW',
        transferId: 'try_spend_consigned',
        code: 'call',
      });
      assert.equal(sp.ok, false);
      assert.equal(await balance(agent.receivableAccountId), 0n);
      await verify();
    });

    it('sells at the POS over HTTP with a real signature, once under retries', async () => {
      const key = await issueAgentKey(t.app.agents, agent.id);
      assert.ok(key.ok);
      const otherKey = await issueAgentKey(t.app.agents, other.id);
      assert.ok(otherKey.ok);
      const server = await buildServer({
        db: t.app.db,
        payments: t.app.payments,
        cards: t.app.cards,
        agents: t.app.agents,
        logLevel: 'silent',
      });
      let nonce = 0;
      const call = async (
        k: { key: string; signingSecret: string },
        method: 'GET' | 'POST',
        path: string,
        body?: unknown,
        sign = true,
      ) => {
        const text = body === undefined ? '' : JSON.stringify(body);
        nonce += 1;
        const headers: Record<string, string> = { authorization: `Bearer ${k.key}` };
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (sign)
          headers['onepin-signature'] = signatureHeader({
            secret: k.signingSecret,
            timestamp: Math.floor(Number(t.clock.nowMs()) / 1000),
            nonce: `n${nonce}`,
            method,
            path,
            body: text,
          });
        const res = await server.inject({
          method,
          url: path,
          headers,
          ...(text === '' ? {} : { payload: text }),
        });
        return { status: res.statusCode, json: res.json<Record<string, unknown>>() };
      };
      try {
        const noSig = await call(
          key.value,
          'POST',
          '/agent/v1/sales',
          { serial: s(0), reference: 'r1' },
          false,
        );
        assert.equal(noSig.status, 401);
        const badKey = await call(
          { key: `ak_${'A'.repeat(40)}`, signingSecret: key.value.signingSecret },
          'POST',
          '/agent/v1/sales',
          { serial: s(0), reference: 'r1' },
        );
        assert.equal(badKey.status, 401);

        const first = await call(key.value, 'POST', '/agent/v1/sales', {
          serial: s(0),
          reference: 'r1',
        });
        assert.equal(first.status, 201, JSON.stringify(first.json));
        assert.equal(first.json.face_value, 10000);
        assert.equal(first.json.commission, 500);
        assert.equal(first.json.owed, 9500);
        assert.equal(first.json.replayed, false);
        const secret1 = first.json.activation_secret;
        assert.equal(typeof secret1, 'string');
        const retry = await call(key.value, 'POST', '/agent/v1/sales', {
          serial: s(0),
          reference: 'r1',
        });
        assert.equal(retry.status, 200);
        assert.equal(retry.json.replayed, true);
        assert.equal(retry.json.sale, first.json.sale);
        // Money moved once: 10000 − 500 commission.
        assert.equal(await balance(agent.receivableAccountId), 9500n);
        const card = await cardOf(s(0));
        assert.equal(card?.state, 'sold');
        const bal = await t.app.ledger.getAccount(t.app.db.kysely, card?.accountId ?? '');
        assert.equal(bal?.creditsPosted, 10000n);
        await verify();

        const snap = await snapshot(t.app.db);
        const conflict = await call(key.value, 'POST', '/agent/v1/sales', {
          serial: s(1),
          reference: 'r1',
        });
        assert.equal(
          conflict.json.error && (conflict.json.error as { code: string }).code,
          'agent_reference_conflict',
        );
        const unconsigned = await call(key.value, 'POST', '/agent/v1/sales', {
          serial: s(8),
          reference: 'r2',
        });
        assert.equal((unconsigned.json.error as { code: string }).code, 'stock_not_consigned');
        const others = await call(key.value, 'POST', '/agent/v1/sales', {
          serial: s(6),
          reference: 'r3',
        });
        assert.equal((others.json.error as { code: string }).code, 'stock_not_consigned');
        const sold = await call(otherKey.value, 'POST', '/agent/v1/sales', {
          serial: s(0),
          reference: 'r4',
        });
        assert.equal((sold.json.error as { code: string }).code, 'stock_not_consigned');
        assert.equal(await snapshot(t.app.db), snap);

        // The holder activates with the PIN and the latest secret on the receipt.
        const act = await activateCard(t.app.cards, {
          pin: pins.get(s(0)) ?? '',
          activationSecret: String(retry.json.activation_secret),
          password: '2580',
        });
        assert.ok(act.ok, code(act));

        // Returns: 4..5 back to the vault; 0 (sold) and 6 (other agent's) refused.
        const bad = await call(key.value, 'POST', '/agent/v1/returns', {
          ranges: [`${s(4)}-${s(6)}`],
        });
        assert.equal((bad.json.error as { code: string }).code, 'stock_not_consigned');
        const ret = await call(key.value, 'POST', '/agent/v1/returns', {
          ranges: [`${s(4)}-${s(5)}`],
        });
        assert.equal(ret.status, 200);
        assert.deepEqual(ret.json, { returned: 2, serials: [s(4), s(5)] });
        assert.equal((await cardOf(s(4)))?.state, 'issued');
        await verify();

        const st = await call(key.value, 'GET', '/agent/v1/statement');
        assert.equal(st.status, 200);
        assert.equal(st.json.owed, 9500);
        assert.equal(st.json.commission, 500);
        assert.equal(st.json.unsold_stock, 3);
      } finally {
        await server.close();
      }
    });

    it('tracks remittances and overdue balances', async () => {
      const sale = await posSale(t.app.agents, {
        agentId: agent.id,
        serial: s(1),
        reference: 'r5',
      });
      assert.ok(sale.ok, code(sale));
      assert.equal(sale.value.sale.commissionMinor, 500n);
      assert.equal(await balance(agent.receivableAccountId), 19_000n);
      assert.deepEqual(await overdueAgents(t.app.agents), []);
      t.clock.advance(8n * DAY);
      const due = await overdueAgents(t.app.agents);
      assert.equal(due.length, 1);
      assert.equal(due[0]?.agent.id, agent.id);
      assert.equal(due[0]?.overdueMinor, 19_000n);
      const snap = await snapshot(t.app.db);
      assert.equal(
        code(
          await recordRemittance(t.app.agents, {
            agentId: agent.id,
            amountMinor: 19_001n,
            reference: 'bank-1',
            operator: 'alice',
          }),
        ),
        'remittance_exceeds_owed',
      );
      assert.equal(await snapshot(t.app.db), snap);
      const paid = await recordRemittance(t.app.agents, {
        agentId: agent.id,
        amountMinor: 10_000n,
        reference: 'bank-1',
        operator: 'alice',
      });
      assert.ok(paid.ok);
      const again = await recordRemittance(t.app.agents, {
        agentId: agent.id,
        amountMinor: 10_000n,
        reference: 'bank-1',
        operator: 'alice',
      });
      assert.ok(again.ok);
      assert.equal(again.value.replayed, true);
      assert.equal(await balance(agent.receivableAccountId), 9_000n);
      const st = await agentStatement(t.app.agents, { agentId: agent.id });
      assert.ok(st.ok);
      assert.equal(st.value.faceMinor, 20_000n);
      assert.equal(st.value.commissionMinor, 1_000n);
      assert.equal(st.value.paidMinor, 10_000n);
      assert.equal(st.value.owedMinor, 9_000n);
      assert.equal(st.value.overdueMinor, 9_000n);
      assert.equal(await balance(systemAccountId('KRW', 'commission_expense')), 1_000n);
      await verify();
    });

    it('a sale interrupted after the card was sold is finished by the retry, once', async () => {
      const card = await cardOf(s(2));
      assert.equal(card?.state, 'consigned');
      const before = await balance(agent.receivableAccountId);
      // Step 1 (the pending sale row) and step 2 (the card sold) happened; the commission did not.
      await agentTables(t.app.db.kysely)
        .insertInto('agent_sale')
        .values({
          id: 'asl_crash',
          agent_id: agent.id,
          reference: 'crash-1',
          card_id: card?.id ?? '',
          serial: s(2),
          denomination_id: 'den_krw_10000',
          face_minor: 10_000n,
          commission_minor: 500n,
          currency: 'KRW',
          state: 'pending',
          sold_at_ms: t.clock.nowMs(),
          due_at_ms: t.clock.nowMs() + 7n * DAY,
        })
        .execute();
      const sold = await sellCard(t.app.cards, {
        serial: s(2),
        channel: 'agent',
        activationKind: 'pos',
        debitAccountId: agent.receivableAccountId,
      });
      assert.ok(sold.ok);
      assert.equal(await balance(agent.receivableAccountId), before + 10_000n);
      const retry = await posSale(t.app.agents, {
        agentId: agent.id,
        serial: s(2),
        reference: 'crash-1',
      });
      assert.ok(retry.ok, code(retry));
      assert.equal(retry.value.replayed, true);
      assert.equal(typeof retry.value.activationSecret, 'string');
      const again = await posSale(t.app.agents, {
        agentId: agent.id,
        serial: s(2),
        reference: 'crash-1',
      });
      assert.ok(again.ok);
      assert.equal(await balance(agent.receivableAccountId), before + 9_500n);
      await verify();
    });
  });
}
