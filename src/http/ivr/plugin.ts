import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KeyRing } from '../../cards/index.ts';
import type { SessionsContext } from '../../charging/index.ts';
import { MS_PER_SECOND } from '../../kernel/index.ts';
import {
  awaiting,
  decide,
  ivrSettings,
  renderResponse,
  startCall,
  verifyTwilioSignature,
  type CallEvent,
  type CallState,
  type Decision,
  type DialStatus,
  type IvrSettings,
  type Verb,
} from '../../protocols/index.ts';
import { sendError } from '../shared/errors.ts';
import { performEffect } from './effects.ts';
import { deriveStateKey, stateSeal } from './state-seal.ts';

/** How the webhook is configured (HttpDeps.ivr). Everything is optional. */
export interface IvrWebhookOptions {
  /**
   * The voice platform's auth token (IVR_AUTH_TOKEN). When set, every request must carry a
   * valid `X-Twilio-Signature`; others get 403 `ivr_signature_invalid` and change nothing.
   */
  readonly authToken?: string;
  /**
   * The public origin the platform calls, e.g. `https://ivr.example.com`: the signature covers
   * the full URL the platform requested, which a proxy in front of us may change. Default: the
   * request's own scheme and Host header.
   */
  readonly publicUrl?: string;
  /** 32 bytes sealing the per-call state; default: derived from the key file's password key. */
  readonly stateKey?: Uint8Array;
  /** Prompt timeouts, tries and the warning (src/protocols/ivr/settings.ts). */
  readonly settings?: Partial<IvrSettings>;
  /** Caller id of the outgoing legs (a number the platform lets us present). */
  readonly callerId?: string;
}

/** A seal for a prompt lives this long: the platform posts within the prompt's timeout. */
const GATHER_SEAL_LIFE_MS = 10n * 60_000n;
/** Effects one request may chain (update → terminate → revoke is the longest). */
const EFFECTS_MAX = 6;
const CALL_SID = /^[A-Za-z0-9_-]{1,64}$/;
const DIGITS = /^[0-9*#]{0,64}$/;
const DURATION = /^[0-9]{1,9}$/;
const DIAL_STATUSES: Readonly<Record<string, DialStatus>> = {
  completed: 'completed',
  // Some platforms report a bridged leg as answered.
  answered: 'completed',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'canceled',
};

type FormPairs = readonly (readonly [string, string])[];

function firstOf(pairs: FormPairs, name: string): string | undefined {
  return pairs.find(([key]) => key === name)?.[1];
}

function xml(reply: FastifyReply, body: string): FastifyReply {
  return reply
    .code(200)
    .header('cache-control', 'no-store')
    .type('text/xml; charset=utf-8')
    .send(body);
}

/**
 * The calling-card IVR webhook (docs/ivr.md): a TwiML-compatible voice platform posts call
 * events, we answer with verbs. `POST /ivr/voice` answers a new call; the Gather and Dial
 * actions we hand out post to `/ivr/calls/:callSid/gather` and `/ivr/calls/:callSid/dial`
 * with the call's sealed state in `?s=`. The menu is the pure machine of src/protocols/ivr; the
 * charging goes through the sessions engine like every other channel.
 */
export function ivrPlugin(deps: {
  readonly charging: SessionsContext;
  readonly keys: KeyRing;
  readonly options?: IvrWebhookOptions;
}) {
  const options = deps.options ?? {};
  const settings = ivrSettings(options.settings);
  const seal = stateSeal({
    key: options.stateKey ?? deriveStateKey(deps.keys.passwordKey.secret),
    gatherLifeMs: GATHER_SEAL_LIFE_MS,
    // A leg lasts at most one grant; after the session timer the session is gone anyway.
    dialLifeMs: BigInt(deps.charging.policy.sessionTimeoutSeconds) * MS_PER_SECOND,
  });
  const authToken = options.authToken ?? '';
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');

  /** Runs the machine from an event through every effect it asks for; collects the verbs. */
  async function run(
    request: FastifyRequest,
    callSid: string,
    first: Decision,
  ): Promise<{ state: CallState; verbs: Verb[]; effects: string[] }> {
    let step = first;
    const verbs: Verb[] = [...step.verbs];
    const effects: string[] = [];
    for (let n = 0; step.effect !== null; n += 1) {
      if (n >= EFFECTS_MAX) throw new Error('ivr: too many effects in one request');
      effects.push(step.effect.kind);
      const event = await performEffect(deps.charging, callSid, step.effect, (what, error) =>
        request.log.warn({ callSid, what, code: error.code }, 'ivr: charging refused'),
      );
      step = decide(step.state, event, settings);
      verbs.push(...step.verbs);
    }
    return { state: step.state, verbs, effects };
  }

  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    callSid: string,
    first: Decision,
  ): Promise<FastifyReply> {
    const { state, verbs, effects } = await run(request, callSid, first);
    const kind = awaiting(state.step);
    const nowMs = deps.charging.clock.nowMs();
    const url = (k: 'gather' | 'dial'): string =>
      `/ivr/calls/${callSid}/${k}?s=${seal.seal(callSid, k, state, nowMs)}`;
    request.log.info({ callSid, step: state.step, effects }, 'ivr');
    return xml(
      reply,
      renderResponse(verbs, {
        gatherUrl: kind === 'gather' ? url('gather') : null,
        dialUrl: kind === 'dial' ? url('dial') : null,
        callerId: options.callerId ?? null,
      }),
    );
  }

  /** The form fields, after the signature check; null when the reply was already sent. */
  async function fieldsOf(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ pairs: FormPairs; callSid: string } | null> {
    const pairs: FormPairs = Array.isArray(request.body) ? (request.body as FormPairs) : [];
    if (authToken !== '') {
      const origin = publicUrl ?? `${request.protocol}://${request.host}`;
      const header = request.headers['x-twilio-signature'];
      const signature = typeof header === 'string' ? header : undefined;
      if (!verifyTwilioSignature(authToken, origin + request.url, pairs, signature)) {
        await sendError(request, reply, { code: 'ivr_signature_invalid' });
        return null;
      }
    }
    const callSid = firstOf(pairs, 'CallSid');
    if (callSid === undefined || !CALL_SID.test(callSid)) {
      await sendError(request, reply, {
        code: 'parameter_invalid',
        param: 'CallSid',
        detail: '1 to 64 letters, digits, _ or -',
      });
      return null;
    }
    return { pairs, callSid };
  }

  /** The state sealed in `?s=` for this call and action, or null when the reply was sent. */
  async function stateOf(
    request: FastifyRequest<{ Params: { callSid: string }; Querystring: { s?: string } }>,
    reply: FastifyReply,
    callSid: string,
    kind: 'gather' | 'dial',
  ): Promise<CallState | null> {
    const sealed = request.query.s;
    const state =
      request.params.callSid === callSid && typeof sealed === 'string'
        ? seal.open(callSid, kind, sealed, deps.charging.clock.nowMs())
        : null;
    if (state === null) {
      request.log.warn({ callSid, kind }, 'ivr: call state refused');
      await sendError(request, reply, { code: 'ivr_state_invalid', param: 's' });
    }
    return state;
  }

  return async (app: FastifyInstance): Promise<void> => {
    // Platforms post form fields; keep every pair in order (the signature covers them all).
    // This scope's parser replaces any form parser inherited from the root.
    if (app.hasContentTypeParser('application/x-www-form-urlencoded')) {
      app.removeContentTypeParser('application/x-www-form-urlencoded');
    }
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        done(null, [...new URLSearchParams(text)]);
      },
    );
    if (authToken === '') {
      app.log.warn('ivr: IVR_AUTH_TOKEN is not set; the IVR webhook accepts unsigned requests');
    }

    app.post('/ivr/voice', { schema: { hide: true } }, async (request, reply) => {
      const fields = await fieldsOf(request, reply);
      if (fields === null) return reply;
      return answer(request, reply, fields.callSid, startCall(settings));
    });

    app.post<{ Params: { callSid: string }; Querystring: { s?: string } }>(
      '/ivr/calls/:callSid/gather',
      { schema: { hide: true } },
      async (request, reply) => {
        const fields = await fieldsOf(request, reply);
        if (fields === null) return reply;
        const state = await stateOf(request, reply, fields.callSid, 'gather');
        if (state === null) return reply;
        const digits = firstOf(fields.pairs, 'Digits') ?? '';
        if (!DIGITS.test(digits)) {
          return sendError(request, reply, {
            code: 'parameter_invalid',
            param: 'Digits',
            detail: 'up to 64 of 0-9, * and #',
          });
        }
        const event: CallEvent = digits === '' ? { type: 'timeout' } : { type: 'digits', digits };
        return answer(request, reply, fields.callSid, decide(state, event, settings));
      },
    );

    app.post<{ Params: { callSid: string }; Querystring: { s?: string } }>(
      '/ivr/calls/:callSid/dial',
      { schema: { hide: true } },
      async (request, reply) => {
        const fields = await fieldsOf(request, reply);
        if (fields === null) return reply;
        const state = await stateOf(request, reply, fields.callSid, 'dial');
        if (state === null) return reply;
        const statusText = firstOf(fields.pairs, 'DialCallStatus') ?? '';
        const status = Object.hasOwn(DIAL_STATUSES, statusText)
          ? DIAL_STATUSES[statusText]
          : undefined;
        if (status === undefined) {
          return sendError(request, reply, {
            code: 'parameter_invalid',
            param: 'DialCallStatus',
            detail: 'completed, answered, busy, no-answer, failed or canceled',
          });
        }
        const duration = firstOf(fields.pairs, 'DialCallDuration');
        // A bridged leg must say how long it lasted: that is what the card pays.
        if (
          status === 'completed'
            ? !DURATION.test(duration ?? '')
            : duration !== undefined && !DURATION.test(duration)
        ) {
          return sendError(request, reply, {
            code: 'parameter_invalid',
            param: 'DialCallDuration',
            detail: 'whole seconds; required when DialCallStatus is completed',
          });
        }
        const callStatus = firstOf(fields.pairs, 'CallStatus') ?? '';
        const event: CallEvent = {
          type: 'dial-ended',
          status,
          durationSeconds: duration === undefined ? 0 : Number.parseInt(duration, 10),
          callerHungUp: callStatus === 'completed' || callStatus === 'canceled',
        };
        return answer(request, reply, fields.callSid, decide(state, event, settings));
      },
    );
  };
}
