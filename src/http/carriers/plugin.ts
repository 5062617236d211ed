import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  carrierByKey,
  carrierSigningSecret,
  reportSale,
  type Carrier,
  type CarriersContext,
} from '../../carriers/index.ts';
import { jsonInteger } from '../../kernel/index.ts';
import type { PaymentsContext } from '../../payments/index.ts';
import { apiError } from '../shared/errors.ts';
import { bearerSecret, checkRequestSignature, valueOrThrow } from '../shared/signed-request.ts';

export const CARRIER_PREFIX = '/carrier/v1';

declare module 'fastify' {
  interface FastifyRequest {
    carrier?: Carrier;
  }
}

const value = valueOrThrow;

/**
 * The carrier sale-report API (docs/carriers.md). Every call carries
 * `Authorization: Bearer ck_….…` and an `OnePIN-Signature` header over timestamp, method, path,
 * Idempotency-Key and body digest (the merchant API's scheme, with the carrier's signing secret);
 * a signature is accepted once.
 */
export function carriersPlugin(deps: {
  readonly carriers: CarriersContext;
  readonly payments: PaymentsContext;
}): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request: FastifyRequest) => {
      const secret = bearerSecret(request);
      const found = secret === undefined ? null : await carrierByKey(deps.carriers, secret);
      if (found === null || !found.ok || found.value.keyId === null)
        throw apiError('carrier_key_invalid');
      await checkRequestSignature(request, {
        payments: deps.payments,
        keyId: found.value.keyId,
        signingSecret: carrierSigningSecret(deps.carriers, found.value.keyId),
        nowMs: deps.carriers.clock.nowMs(),
      });
      request.carrier = found.value;
    });

    app.post<{
      Body: { report_id: string; serial: string; phone: string; price: number; sold_at: string };
    }>(
      '/sales',
      {
        schema: {
          body: {
            type: 'object',
            required: ['report_id', 'serial', 'phone', 'price', 'sold_at'],
            additionalProperties: false,
            properties: {
              report_id: { type: 'string', maxLength: 64 },
              serial: { type: 'string', maxLength: 12 },
              phone: { type: 'string', maxLength: 20 },
              price: { type: 'integer', minimum: 0, maximum: 1_000_000_000_000 },
              sold_at: { type: 'string', maxLength: 40 },
            },
          },
        },
      },
      async (request, reply) => {
        const carrier = request.carrier;
        if (carrier === undefined) throw apiError('carrier_key_invalid');
        const soldAt = Date.parse(request.body.sold_at);
        if (Number.isNaN(soldAt)) throw apiError('parameter_invalid', 'sold_at');
        const s = value(
          await reportSale(deps.carriers, {
            carrierId: carrier.id,
            reportId: request.body.report_id,
            serial: request.body.serial,
            phone: request.body.phone,
            priceMinor: BigInt(request.body.price),
            soldAtMs: BigInt(soldAt),
          }),
        );
        return reply.code(s.replayed ? 200 : 201).send({
          sale: s.id,
          report_id: s.reportId,
          serial: s.serial,
          phone: s.phone,
          price: jsonInteger(s.priceMinor),
          sold_at: new Date(Number(s.soldAtMs)).toISOString(),
          state: s.state,
          sms: s.smsId,
          replayed: s.replayed,
        });
      },
    );
  };
}
