import {
  assert,
  fail,
  isCurrency,
  jsonInteger,
  limits,
  ok,
  type Outcome,
} from '../kernel/index.ts';
import {
  acquirerErrorCode,
  acquirerErrorParam,
  callAcquirer,
  type AcquirerAnswer,
  type AcquirerConnection,
} from './acquirer-client.ts';
import type {
  CreatePaymentInput,
  FundingProvider,
  PaymentLookup,
  ProviderEvent,
  ProviderPayment,
  ProviderRefund,
  RefundInput,
} from './types.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';
import { readEvent, readPayment, readRefund, type Read } from './wire.ts';

/**
 * The FundingProvider for the sandbox acquirer (src/acquirer, `npm run sandbox-acquirer`),
 * over its HTTP API. Input is checked before anything is sent, so bad input changes nothing
 * anywhere; answers are checked field by field before they are believed.
 */
export interface SandboxProviderOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
  /** Deadline of one call; past it the call is `funding_unavailable`. */
  readonly timeoutMs?: number;
}

export const FUNDING_TIMEOUT_DEFAULT_MS = 10_000;
const FUNDING_TIMEOUT_MAX_MS = 120_000;
/** What the acquirer accepts; checked here so a refusal never depends on a round trip. */
const REFERENCE = /^[\x21-\x7e]{1,128}$/;
const PROVIDER_ID = /^[A-Za-z0-9_]{1,64}$/;
const DESCRIPTION_CHARS_MAX = 200;
const URL_CHARS_MAX = 2_048;
const WEBHOOK_BODY_CHARS_MAX = 64 * 1024;

function httpUrl(value: string): boolean {
  if (value.length > URL_CHARS_MAX) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function checkAmount(amountMinor: bigint): Outcome<number> {
  if (amountMinor <= 0n) return fail('amount_must_be_positive', 'amountMinor');
  if (amountMinor > limits.amountMaxMinor) return fail('amount_exceeds_limit', 'amountMinor');
  return ok(jsonInteger(amountMinor));
}

function believed<T>(read: Read<T>): Outcome<T> {
  if (read.ok) return ok(read.value);
  return fail(
    'funding_unavailable',
    undefined,
    `malformed answer from the acquirer: ${read.problem}`,
  );
}

function unexpected<T>(answer: AcquirerAnswer): Outcome<T> {
  const code = acquirerErrorCode(answer.body) ?? 'none';
  return fail(
    'funding_unavailable',
    undefined,
    `unexpected answer from the acquirer: ${answer.status} (${code})`,
  );
}

function invalid<T>(answer: AcquirerAnswer): Outcome<T> {
  return fail('parameter_invalid', acquirerErrorParam(answer.body));
}

export function sandboxProvider(options: SandboxProviderOptions): FundingProvider {
  const timeoutMs = options.timeoutMs ?? FUNDING_TIMEOUT_DEFAULT_MS;
  assert(timeoutMs > 0 && timeoutMs <= FUNDING_TIMEOUT_MAX_MS, 'funding timeout within 120 s');
  assert(httpUrl(options.baseUrl), 'the acquirer base URL is an http(s) URL');
  assert(options.apiKey !== '' && options.webhookSecret !== '', 'acquirer credentials are set');
  const connection: AcquirerConnection = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    timeoutMs,
  };

  async function createPayment(input: CreatePaymentInput): Promise<Outcome<ProviderPayment>> {
    if (!REFERENCE.test(input.reference)) return fail('parameter_invalid', 'reference');
    if (input.method !== 'card' && input.method !== 'bank') {
      return fail('payment_method_invalid', 'method');
    }
    const amount = checkAmount(input.amountMinor);
    if (!amount.ok) return amount;
    if (!isCurrency(input.currency)) return fail('currency_invalid', 'currency');
    if (input.description.length > DESCRIPTION_CHARS_MAX) {
      return fail('parameter_invalid', 'description');
    }
    if (!httpUrl(input.returnUrl)) return fail('parameter_invalid', 'returnUrl');
    if (!httpUrl(input.notifyUrl)) return fail('parameter_invalid', 'notifyUrl');

    const call = await callAcquirer(connection, 'POST', '/v1/payments', {
      reference: input.reference,
      method: input.method,
      amount: amount.value,
      currency: input.currency,
      description: input.description,
      return_url: input.returnUrl,
      notify_url: input.notifyUrl,
    });
    if (!call.ok) return call;
    const answer = call.value;
    if (answer.status === 200 || answer.status === 201) {
      const payment = believed(readPayment(answer.body));
      if (!payment.ok) return payment;
      // The answer must be about what we asked for; anything else is not to be believed.
      if (
        payment.value.reference !== input.reference ||
        payment.value.amountMinor !== input.amountMinor ||
        payment.value.currency !== input.currency ||
        payment.value.method !== input.method
      ) {
        return fail(
          'funding_unavailable',
          undefined,
          'the acquirer answered about another payment',
        );
      }
      return payment;
    }
    if (answer.status === 409) return fail('idempotency_conflict', 'reference');
    if (answer.status === 400) return invalid(answer);
    return unexpected(answer);
  }

  async function getPayment(lookup: PaymentLookup): Promise<Outcome<ProviderPayment | null>> {
    let path: string;
    if ('id' in lookup) {
      if (!PROVIDER_ID.test(lookup.id)) return fail('id_invalid', 'id');
      path = `/v1/payments/${encodeURIComponent(lookup.id)}`;
    } else {
      if (!REFERENCE.test(lookup.reference)) return fail('parameter_invalid', 'reference');
      path = `/v1/payments?reference=${encodeURIComponent(lookup.reference)}`;
    }
    const call = await callAcquirer(connection, 'GET', path);
    if (!call.ok) return call;
    const answer = call.value;
    if (answer.status === 404 && acquirerErrorCode(answer.body) === 'payment_not_found') {
      return ok(null);
    }
    if (answer.status !== 200) return unexpected(answer);
    const payment = believed(readPayment(answer.body));
    if (!payment.ok) return payment;
    const matches =
      'id' in lookup
        ? payment.value.id === lookup.id
        : payment.value.reference === lookup.reference;
    if (!matches) {
      return fail('funding_unavailable', undefined, 'the acquirer answered about another payment');
    }
    return payment;
  }

  async function refund(input: RefundInput): Promise<Outcome<ProviderRefund>> {
    if (!PROVIDER_ID.test(input.paymentId)) return fail('id_invalid', 'paymentId');
    if (!REFERENCE.test(input.reference)) return fail('parameter_invalid', 'reference');
    const amount = checkAmount(input.amountMinor);
    if (!amount.ok) return amount;
    const call = await callAcquirer(
      connection,
      'POST',
      `/v1/payments/${encodeURIComponent(input.paymentId)}/refunds`,
      { amount: amount.value, reference: input.reference },
    );
    if (!call.ok) return call;
    const answer = call.value;
    if (answer.status === 200 || answer.status === 201) {
      const read = believed(readRefund(answer.body));
      if (!read.ok) return read;
      if (read.value.amountMinor !== input.amountMinor) {
        return fail('funding_unavailable', undefined, 'the acquirer answered about another refund');
      }
      return read;
    }
    switch (acquirerErrorCode(answer.body)) {
      case 'payment_not_found':
        return fail('payment_not_found', 'paymentId');
      case 'reference_conflict':
        return fail('idempotency_conflict', 'reference');
      case 'payment_not_refundable':
        return fail('payment_state_invalid', 'paymentId');
      case 'amount_exceeds_refundable':
        return fail('amount_exceeds_refundable', 'amountMinor');
      case 'parameter_invalid':
        return invalid(answer);
      case undefined:
      default:
        return unexpected(answer);
    }
  }

  async function cancel(paymentId: string): Promise<Outcome<ProviderPayment>> {
    if (!PROVIDER_ID.test(paymentId)) return fail('id_invalid', 'paymentId');
    const call = await callAcquirer(
      connection,
      'POST',
      `/v1/payments/${encodeURIComponent(paymentId)}/cancel`,
    );
    if (!call.ok) return call;
    const answer = call.value;
    if (answer.status === 200) return believed(readPayment(answer.body));
    switch (acquirerErrorCode(answer.body)) {
      case 'payment_not_found':
        return fail('payment_not_found', 'paymentId');
      case 'payment_not_cancelable':
        return fail('payment_state_invalid', 'paymentId');
      case undefined:
      default:
        return unexpected(answer);
    }
  }

  function verifyWebhook(
    rawBody: string,
    signatureHeader: string | undefined,
    nowMs: bigint,
  ): Outcome<ProviderEvent> {
    if (rawBody.length > WEBHOOK_BODY_CHARS_MAX) return fail('parameter_invalid', 'body');
    const signature = verifyWebhookSignature({
      secret: options.webhookSecret,
      rawBody,
      header: signatureHeader,
      nowMs,
    });
    if (!signature.ok) return signature;
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      return fail('parameter_invalid', 'body', 'the webhook body is not JSON');
    }
    const event = readEvent(parsed);
    if (!event.ok) return fail('parameter_invalid', 'body', event.problem);
    return ok(event.value);
  }

  let pageOrigin: string | null = null;
  try {
    pageOrigin = new URL(options.baseUrl).origin;
  } catch {
    pageOrigin = null;
  }
  return { name: 'sandbox', pageOrigin, createPayment, getPayment, refund, cancel, verifyWebhook };
}
