import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { getCard } from '../../cards/index.ts';
import {
  cardOfToken,
  checkBalance,
  debitEvent,
  getSessionRecord,
  priceEnquiry,
  refundCharge,
  startSession,
  terminateSession,
  tokenForCard,
  updateSession,
  type BalanceAnswer,
  type ChargingAnswer,
  type PriceAnswer,
  type RatingSummary,
  type SessionRecord,
  type SessionsContext,
} from '../../charging/index.ts';
import { isoFromMs, jsonInteger, type DomainError, type Outcome } from '../../kernel/index.ts';
import { chargeCredentials, type Principal } from '../../payments/index.ts';
import { apiError, type ApiError } from '../shared/errors.ts';
import {
  ChargingEventAnswerSchema,
  ChargingPostHeaders,
  ChargingRecordSchema,
  ChargingSessionSchema,
  EventBody,
  SessionParams,
  StartSessionBody,
  SubscriberBody,
  SubscriberTokenSchema,
  TerminateSessionBody,
  UpdateSessionBody,
  chargingErrorResponses,
} from './charging-schemas.ts';
import type { GatewayDeps } from './context.ts';
import { security, signedSecurity } from './schemas.ts';

/**
 * Sessions belong to one associate and one mode: a client session id is looked up under the
 * caller's origin only, so nobody reaches another associate's (or the other mode's) sessions.
 */
export function originOf(principal: Principal): string {
  return principal.livemode
    ? `http:${principal.associateId}`
    : `http:${principal.associateId}:test`;
}

function me(principal: Principal | undefined, mustBeTrusted: boolean): Principal {
  if (principal === undefined) throw apiError('api_key_invalid');
  if (mustBeTrusted && !principal.trusted) throw apiError('associate_not_trusted');
  return principal;
}

/** The engine's parameter names as this API calls them. */
const SESSION_PARAMS: Readonly<Record<string, string>> = { subscriber: 'token' };
/** The initial request's number is implied (0): a conflict there is about the session id. */
const START_PARAMS: Readonly<Record<string, string>> = {
  subscriber: 'token',
  request_number: 'session_id',
};
const EVENT_PARAMS: Readonly<Record<string, string>> = {
  subscriber: 'token',
  session_id: 'event_id',
  seconds: 'units',
};

function refused(error: DomainError, names: Readonly<Record<string, string>>): ApiError {
  const param = error.param === undefined ? undefined : (names[error.param] ?? error.param);
  return apiError(error.code, param, error.detail);
}

/**
 * A token of a card of the other mode (a live card with a test key) is refused before anything
 * is charged. An unknown token is left to the engine: it answers `subscriber_unknown`, or the
 * stored answer when the request is a retry of one answered before the token expired.
 */
async function refuseOtherMode(
  ctx: SessionsContext,
  principal: Principal,
  token: string,
): Promise<void> {
  const cardId = await cardOfToken(ctx, ctx.db.kysely, token);
  if (cardId === null) return;
  const card = await getCard(ctx.cards, ctx.db.kysely, { id: cardId });
  if (card.ok && card.value.livemode !== principal.livemode) {
    throw apiError('card_mode_mismatch', 'token');
  }
}

function ratingJson(r: RatingSummary) {
  return {
    service: r.service,
    number_e164: r.e164,
    prefix: r.prefix,
    destination_id: r.destinationId,
    destination_name: r.destinationName,
    rate_id: r.rateId,
    tariff_version: r.tariffVersion,
  };
}

function chargingAnswerJson(a: ChargingAnswer) {
  return {
    object: 'charging_session' as const,
    id: a.sessionId,
    session_id: a.clientSessionId,
    request_type: a.requestType,
    request_number: a.requestNumber,
    status: a.status,
    state: a.state,
    granted_seconds: a.grantedSeconds,
    final_unit: a.finalUnit,
    validity_time_seconds: a.validityTimeSeconds,
    charged: jsonInteger(a.chargedMinor),
    reserved: jsonInteger(a.reservedMinor),
    used_seconds: a.usedSeconds,
    cost: jsonInteger(a.costMinor),
    uncollected: jsonInteger(a.uncollectedMinor),
    refunded: jsonInteger(a.refundedMinor),
    balance: jsonInteger(a.balanceMinor),
    currency: a.currency,
    rating: ratingJson(a.rating),
  };
}

function balanceJson(b: BalanceAnswer) {
  return {
    object: 'charging_balance' as const,
    currency: b.currency,
    balance: jsonInteger(b.balanceMinor),
    enough_credit: b.enoughCredit,
    max_seconds: b.maxSeconds,
    cost: b.costMinor === null ? null : jsonInteger(b.costMinor),
  };
}

function priceJson(p: PriceAnswer) {
  return {
    object: 'charging_price' as const,
    units: p.seconds,
    billed_units: p.billedSeconds,
    cost: jsonInteger(p.costMinor),
    currency: p.currency,
    rate_description: p.rateDescription,
    rating: ratingJson({
      service: p.service,
      e164: p.e164,
      prefix: p.prefix,
      destinationId: p.destinationId,
      destinationName: p.destinationName,
      rateId: p.rate.id,
      tariffVersion: p.tariffVersion,
    }),
  };
}

function recordJson(r: SessionRecord) {
  const iso = (ms: bigint | null) => (ms === null ? null : isoFromMs(ms));
  return {
    object: 'charging_usage_record' as const,
    id: r.sessionId,
    session_id: r.clientSessionId,
    kind: r.kind,
    state: r.state,
    number: r.called,
    rating: ratingJson(r.rating),
    currency: r.currency,
    used_seconds: r.usedSeconds,
    granted_seconds: r.grantedSeconds,
    reserved: jsonInteger(r.reservedMinor),
    cost: jsonInteger(r.costMinor),
    collected: jsonInteger(r.collectedMinor),
    uncollected: jsonInteger(r.uncollectedMinor),
    refunded: jsonInteger(r.refundedMinor),
    balance_before: jsonInteger(r.balanceBeforeMinor),
    balance_after: r.balanceAfterMinor === null ? null : jsonInteger(r.balanceAfterMinor),
    next_request_number: r.nextRequestNumber,
    started_at: isoFromMs(r.startedAtMs),
    last_request_at: isoFromMs(r.lastRequestAtMs),
    timer_expires_at: iso(r.timerAtMs),
    ended_at: iso(r.endedAtMs),
    end_reason: r.endReason,
  };
}

/** A charging answer: a stored one given again carries `Idempotent-Replayed: true`. */
function sendAnswer(
  reply: FastifyReply,
  outcome: Outcome<ChargingAnswer>,
  status: number,
  names: Readonly<Record<string, string>>,
): FastifyReply {
  if (!outcome.ok) throw refused(outcome.error, names);
  if (outcome.value.replayed) void reply.header('Idempotent-Replayed', 'true');
  return reply.code(status).send(chargingAnswerJson(outcome.value));
}

/** The fields each event action reads; any other field sent is refused, never ignored. */
const EVENT_FIELDS: Readonly<Record<EventBody['action'], readonly string[]>> = {
  debit: ['event_id', 'request_number', 'token', 'service', 'number', 'units'],
  refund: ['event_id', 'request_number', 'units'],
  balance: ['token', 'service', 'number', 'units'],
  price: ['service', 'number', 'units'],
};

function need<T>(value: T | undefined, param: string, action: string): T {
  if (value === undefined) {
    throw apiError('parameter_invalid', param, `required for the ${action} action`);
  }
  return value;
}

const SIGNED_NOTE =
  ' Signed like every POST; no Idempotency-Key is needed: (session id, request number) is the key, and a retry of an answered request gets the stored answer with `Idempotent-Replayed: true`.';

export function registerChargingRoutes(
  root: FastifyInstance,
  deps: GatewayDeps,
  charging: SessionsContext,
): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/charging/subscribers', {
    config: { scope: 'charging:write', signed: true },
    schema: {
      tags: ['charging'],
      summary: 'Authenticate a subscriber',
      description:
        'PIN + password → a subscriber token (`st_…`) that stands for the card in charging requests for 12 hours. Trusted channels only. A wrong PIN or password counts toward the card’s lockout, as on every channel. Signed; no Idempotency-Key (a retry just issues another token).',
      security: signedSecurity,
      headers: ChargingPostHeaders,
      body: SubscriberBody,
      response: { 201: SubscriberTokenSchema, ...chargingErrorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal, true);
      const card = await chargeCredentials(deps.payments, principal, {
        pin: request.body.pin,
        password: request.body.password,
      });
      if (!card.ok) throw refused(card.error, {});
      if (card.value.livemode !== principal.livemode) throw apiError('card_mode_mismatch');
      const token = await tokenForCard(charging, card.value, 'api');
      if (!token.ok) throw refused(token.error, {});
      return reply.code(201).send({
        object: 'subscriber_token' as const,
        token: token.value.token,
        card: { currency: token.value.currency, balance: jsonInteger(token.value.balanceMinor) },
        expires_at: isoFromMs(token.value.expiresAtMs),
      });
    },
  });

  app.post('/charging/sessions', {
    config: { scope: 'charging:write', signed: true },
    schema: {
      tags: ['charging'],
      summary: 'Start a charging session',
      description:
        'The initial request (CCR-I, request number 0) of a call: rates the number now (the rate holds for the whole call), grants min(requested, 600 s, affordable) and reserves its cost on the card. Nothing affordable: 402 `credit_limit_reached`, nothing changes.' +
        SIGNED_NOTE,
      security: signedSecurity,
      headers: ChargingPostHeaders,
      body: StartSessionBody,
      response: { 201: ChargingSessionSchema, ...chargingErrorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal, true);
      const b = request.body;
      await refuseOtherMode(charging, principal, b.token);
      const answer = await startSession(charging, {
        origin: originOf(principal),
        clientSessionId: b.session_id,
        requestNumber: 0,
        subscriber: { token: b.token },
        service: b.service,
        number: b.number,
        requestedSeconds: b.requested_seconds ?? null,
      });
      return sendAnswer(reply, answer, 201, START_PARAMS);
    },
  });

  app.post('/charging/sessions/:session_id/updates', {
    config: { scope: 'charging:write', signed: true },
    schema: {
      tags: ['charging'],
      summary: 'Report usage and ask for more',
      description:
        'An update (CCR-U): commits the seconds used since the last report (even more than granted), then grants and reserves again if `requested_seconds` is given (0: the default grant); absent or null grants nothing. A zero grant is `status: credit_limit_reached`: end the call.' +
        SIGNED_NOTE,
      security: signedSecurity,
      headers: ChargingPostHeaders,
      params: SessionParams,
      body: UpdateSessionBody,
      response: { 200: ChargingSessionSchema, ...chargingErrorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal, true);
      const b = request.body;
      const answer = await updateSession(charging, {
        origin: originOf(principal),
        clientSessionId: request.params.session_id,
        requestNumber: b.request_number,
        usedSeconds: b.used_seconds,
        requestedSeconds: b.requested_seconds ?? null,
      });
      return sendAnswer(reply, answer, 200, SESSION_PARAMS);
    },
  });

  app.post('/charging/sessions/:session_id/terminate', {
    config: { scope: 'charging:write', signed: true },
    schema: {
      tags: ['charging'],
      summary: 'End a charging session',
      description:
        'The terminate request (CCR-T): commits the last seconds used, releases the rest of the reservation and closes the session; the answer carries the call’s total `cost`.' +
        SIGNED_NOTE,
      security: signedSecurity,
      headers: ChargingPostHeaders,
      params: SessionParams,
      body: TerminateSessionBody,
      response: { 200: ChargingSessionSchema, ...chargingErrorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal, true);
      const b = request.body;
      const answer = await terminateSession(charging, {
        origin: originOf(principal),
        clientSessionId: request.params.session_id,
        requestNumber: b.request_number,
        usedSeconds: b.used_seconds,
      });
      return sendAnswer(reply, answer, 200, SESSION_PARAMS);
    },
  });

  app.get('/charging/sessions/:session_id', {
    config: { scope: 'charging:read' },
    schema: {
      tags: ['charging'],
      summary: 'Retrieve a usage record',
      description:
        'The usage record of one of your sessions or events: state, seconds, cost, what was collected and refunded, the destination and rate, the balance before and after, and the times.',
      security,
      params: SessionParams,
      response: { 200: ChargingRecordSchema, ...chargingErrorResponses },
    },
    handler: async (request) => {
      const principal = me(request.principal, false);
      const record = await getSessionRecord(
        charging,
        originOf(principal),
        request.params.session_id,
      );
      if (!record.ok) throw refused(record.error, {});
      return recordJson(record.value);
    },
  });

  app.post('/charging/events', {
    config: { scope: 'charging:write', signed: true },
    schema: {
      tags: ['charging'],
      summary: 'Charge, refund, check the balance, or ask a price',
      description:
        '`debit` (event_id, token, service, units; number, request_number optional): rate and take at once, all or nothing. `refund` (event_id, request_number; units optional): give back (part of) an earlier charge of that id, at its own rate. `balance` (token; service, number, units optional): enough credit or not, nothing reserved. `price` (service, number, units): the price enquiry. A field the action does not read is refused.' +
        SIGNED_NOTE,
      security: signedSecurity,
      headers: ChargingPostHeaders,
      body: EventBody,
      response: { 200: ChargingEventAnswerSchema, ...chargingErrorResponses },
    },
    handler: async (request, reply) => {
      const principal = me(request.principal, true);
      const b = request.body;
      const action = b.action;
      const used = EVENT_FIELDS[action];
      for (const field of Object.keys(b)) {
        if (field !== 'action' && !used.includes(field)) {
          throw apiError('parameter_invalid', field, `not used by the ${action} action`);
        }
      }
      const origin = originOf(principal);
      switch (action) {
        case 'debit': {
          const eventId = need(b.event_id, 'event_id', action);
          const token = need(b.token, 'token', action);
          const service = need(b.service, 'service', action);
          const units = need(b.units, 'units', action);
          await refuseOtherMode(charging, principal, token);
          const answer = await debitEvent(charging, {
            origin,
            clientSessionId: eventId,
            requestNumber: b.request_number ?? 0,
            subscriber: { token },
            service,
            ...(b.number !== undefined ? { number: b.number } : {}),
            units,
          });
          return sendAnswer(reply, answer, 200, EVENT_PARAMS);
        }
        case 'refund': {
          const eventId = need(b.event_id, 'event_id', action);
          const requestNumber = need(b.request_number, 'request_number', action);
          const answer = await refundCharge(charging, {
            origin,
            clientSessionId: eventId,
            requestNumber,
            ...(b.units !== undefined ? { units: b.units } : {}),
          });
          return sendAnswer(reply, answer, 200, EVENT_PARAMS);
        }
        case 'balance': {
          const token = need(b.token, 'token', action);
          if (b.service === undefined && (b.number !== undefined || b.units !== undefined)) {
            throw apiError('parameter_invalid', 'service', 'required with number or units');
          }
          await refuseOtherMode(charging, principal, token);
          const balance = await checkBalance(charging, {
            subscriber: { token },
            ...(b.service !== undefined ? { service: b.service } : {}),
            ...(b.number !== undefined ? { number: b.number } : {}),
            ...(b.units !== undefined ? { units: b.units } : {}),
          });
          if (!balance.ok) throw refused(balance.error, EVENT_PARAMS);
          return reply.code(200).send(balanceJson(balance.value));
        }
        case 'price': {
          const service = need(b.service, 'service', action);
          const number = need(b.number, 'number', action);
          const units = need(b.units, 'units', action);
          const price = await priceEnquiry(charging, {
            service,
            number,
            seconds: units,
            atMs: charging.clock.nowMs(),
          });
          if (!price.ok) throw refused(price.error, EVENT_PARAMS);
          return reply.code(200).send(priceJson(price.value));
        }
      }
    },
  });
}
