import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../kernel/index.ts';
import type { AcquirerStore } from './store.ts';

/**
 * Webhooks to the merchant's `notify_url`, signed
 * `Acquirer-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The event (and its exact body) is stored in the same transaction as the change it reports,
 * then delivered after the commit. A delivery is retried a few times with a short backoff while
 * the merchant does not answer 2xx; after that the merchant must poll (the sandbox does not
 * resume deliveries after a restart).
 */
export const SIGNATURE_HEADER = 'acquirer-signature';

export function signWebhook(secret: string, timestampS: bigint, rawBody: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestampS}.${rawBody}`).digest('hex');
  return `t=${timestampS},v1=${v1}`;
}

export interface OutgoingEvent {
  readonly id: string;
  readonly url: string;
  readonly body: string;
}

export interface WebhookSenderOptions {
  readonly store: AcquirerStore;
  readonly secret: string;
  readonly clock: Clock;
  /** Waits before the 2nd, 3rd, … attempt; its length bounds the retries. */
  readonly retryDelaysMs: readonly number[];
  readonly timeoutMs: number;
}

export class WebhookSender {
  readonly #options: WebhookSenderOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #closing = new AbortController();

  constructor(options: WebhookSenderOptions) {
    this.#options = options;
  }

  /** Starts delivering; returns at once (the browser's redirect does not wait for us). */
  send(event: OutgoingEvent): void {
    if (this.#closing.signal.aborted) return;
    const delivery = this.#deliver(event).finally(() => this.#inFlight.delete(delivery));
    this.#inFlight.add(delivery);
  }

  /** Stops retrying, aborts requests in flight and waits for every delivery to end. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #deliver(event: OutgoingEvent): Promise<void> {
    const { retryDelaysMs } = this.#options;
    for (let attempt = 0; attempt <= retryDelaysMs.length; attempt++) {
      if (attempt > 0) {
        try {
          await sleep(retryDelaysMs[attempt - 1] ?? 0, undefined, {
            signal: this.#closing.signal,
          });
        } catch {
          return; // closing
        }
      }
      if (this.#closing.signal.aborted) return;
      const status = await this.#attempt(event);
      if (this.#closing.signal.aborted && status === null) return;
      const delivered = status !== null && status >= 200 && status < 300;
      this.#options.store.recordAttempt(
        event.id,
        status,
        delivered ? this.#options.clock.nowMs() : null,
      );
      if (delivered) return;
    }
  }

  /** One POST; the HTTP status, or null when there was no answer. */
  async #attempt(event: OutgoingEvent): Promise<number | null> {
    const timestampS = this.#options.clock.nowMs() / 1_000n;
    try {
      const response = await fetch(event.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(this.#options.secret, timestampS, event.body),
          'user-agent': 'OnePIN-Sandbox-Acquirer/1',
        },
        body: event.body,
        redirect: 'manual',
        signal: AbortSignal.any([
          this.#closing.signal,
          AbortSignal.timeout(this.#options.timeoutMs),
        ]),
      });
      // The answer's body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return null;
    }
  }
}
