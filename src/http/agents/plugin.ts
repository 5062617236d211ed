import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  agentOfKey,
  agentSigningSecret,
  agentStatement,
  posSale,
  returnStock,
  type Agent,
  type AgentsContext,
} from '../../agents/index.ts';
import { jsonInteger } from '../../kernel/index.ts';
import type { PaymentsContext } from '../../payments/index.ts';
import { apiError } from '../shared/errors.ts';
import { bearerSecret, checkRequestSignature, valueOrThrow } from '../shared/signed-request.ts';

export const AGENT_PREFIX = '/agent/v1';

declare module 'fastify' {
  interface FastifyRequest {
    agent?: Agent;
  }
}

const value = valueOrThrow;

function iso(ms: bigint | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}

function timeParam(text: string | undefined, name: string): bigint | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw apiError('parameter_invalid', name);
  return BigInt(ms);
}

/**
 * The agent point-of-sale API. Every call carries `Authorization: Bearer ak_…` and an
 * `OnePIN-Signature` header over timestamp, method, path, Idempotency-Key and body digest
 * (the merchant API's scheme, with the agent key's signing secret); a signature is accepted
 * once, so a captured request cannot be replayed.
 */
export function agentsPlugin(deps: {
  readonly agents: AgentsContext;
  readonly payments: PaymentsContext;
}): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request: FastifyRequest) => {
      const secret = bearerSecret(request);
      const found = secret === undefined ? null : await agentOfKey(deps.agents, secret);
      if (found === null) throw apiError('agent_key_invalid');
      await checkRequestSignature(request, {
        payments: deps.payments,
        keyId: found.keyId,
        signingSecret: agentSigningSecret(deps.agents, found.keyId),
        nowMs: deps.agents.clock.nowMs(),
      });
      request.agent = found.agent;
    });

    const agentOf = (request: FastifyRequest): Agent => {
      if (request.agent === undefined) throw apiError('agent_key_invalid');
      return request.agent;
    };

    app.post<{ Body: { serial: string; reference: string } }>(
      '/sales',
      {
        schema: {
          body: {
            type: 'object',
            required: ['serial', 'reference'],
            additionalProperties: false,
            properties: {
              serial: { type: 'string', maxLength: 12 },
              reference: { type: 'string', maxLength: 64 },
            },
          },
        },
      },
      async (request, reply) => {
        const agent = agentOf(request);
        const r = value(
          await posSale(deps.agents, {
            agentId: agent.id,
            serial: request.body.serial,
            reference: request.body.reference,
          }),
        );
        return reply.code(r.replayed ? 200 : 201).send({
          sale: r.sale.id,
          reference: r.sale.reference,
          serial: r.sale.serial,
          denomination: r.sale.denominationId,
          face_value: jsonInteger(r.sale.faceMinor),
          commission: jsonInteger(r.sale.commissionMinor),
          owed: jsonInteger(r.sale.faceMinor - r.sale.commissionMinor),
          currency: r.sale.currency,
          sold_at: iso(r.sale.soldAtMs),
          due_at: iso(r.sale.dueAtMs),
          activation_secret: r.activationSecret,
          activation_expires_at: iso(r.activationExpiresAtMs),
          replayed: r.replayed,
        });
      },
    );

    app.post<{ Body: { ranges: string[] } }>(
      '/returns',
      {
        schema: {
          body: {
            type: 'object',
            required: ['ranges'],
            additionalProperties: false,
            properties: {
              ranges: {
                type: 'array',
                minItems: 1,
                maxItems: 100,
                items: { type: 'string', maxLength: 25 },
              },
            },
          },
        },
      },
      async (request) => {
        const agent = agentOf(request);
        const r = value(
          await returnStock(deps.agents, {
            agentId: agent.id,
            ranges: request.body.ranges,
            by: 'agent api',
          }),
        );
        return { returned: r.returned, serials: r.serials };
      },
    );

    app.get<{ Querystring: { from?: string; to?: string } }>('/statement', async (request) => {
      const agent = agentOf(request);
      const fromMs = timeParam(request.query.from, 'from');
      const toMs = timeParam(request.query.to, 'to');
      const s = value(
        await agentStatement(deps.agents, {
          agentId: agent.id,
          ...(fromMs !== undefined ? { fromMs } : {}),
          ...(toMs !== undefined ? { toMs } : {}),
        }),
      );
      return {
        agent: agent.id,
        currency: agent.currency,
        from: iso(s.fromMs),
        to: iso(s.toMs),
        sales: s.sales.map((x) => ({
          sale: x.id,
          reference: x.reference,
          serial: x.serial,
          face_value: jsonInteger(x.faceMinor),
          commission: jsonInteger(x.commissionMinor),
          sold_at: iso(x.soldAtMs),
          due_at: iso(x.dueAtMs),
        })),
        remittances: s.remittances.map((x) => ({
          remittance: x.id,
          reference: x.reference,
          amount: jsonInteger(x.amountMinor),
          paid_at: iso(x.paidAtMs),
        })),
        face_value: jsonInteger(s.faceMinor),
        commission: jsonInteger(s.commissionMinor),
        net: jsonInteger(s.netMinor),
        paid: jsonInteger(s.paidMinor),
        owed: jsonInteger(s.owedMinor),
        overdue: jsonInteger(s.overdueMinor),
        overdue_since: iso(s.oldestOverdueDueAtMs),
        unsold_stock: s.unsoldStock,
      };
    });
  };
}
