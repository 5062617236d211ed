import { expireDueCards, type CardsContext } from '../cards/index.ts';
import {
  chargeDueMailboxFees,
  expireSilentSessions,
  purgeExpiredTokens,
  type MailboxFeeReport,
  type SessionsContext,
} from '../charging/index.ts';
import { limits, type Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import {
  deliverDueWebhooks,
  expireDuePayments,
  purgeIdempotency,
  type PaymentsContext,
  type WebhookPassReport,
} from '../payments/index.ts';
import {
  deliverDueEmails,
  deliverDueSms,
  type EmailPassReport,
  type EmailTransport,
  type NotifyContext,
  type SmsPassReport,
  type SmsTransport,
} from '../notify/index.ts';
import { releaseStaleSwitches, type ForeignContext } from '../foreign/index.ts';
import {
  completeOrders,
  sendExpiryNotices,
  type CompleterReport,
  type SalesContext,
} from '../sales/index.ts';
import type { Database } from '../storage/index.ts';
import { expireDueHolds } from './expire-holds.ts';

export interface WorkerDeps {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly payments: PaymentsContext;
  readonly clock: Clock;
  readonly log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Web orders to finish (the completer); absent in set-ups without the holder site. */
  readonly sales?: SalesContext;
  /** E-mails to deliver: through `emailTransport`, or held for the dev mailbox when null. */
  readonly notify?: NotifyContext;
  readonly emailTransport?: EmailTransport | null;
  /** SMS to send: through `smsTransport` (SMPP), or left queued when null (logged once). */
  readonly smsTransport?: SmsTransport | null;
  /** Charging sessions whose timer ran out release their reservations; old tokens go. */
  readonly charging?: SessionsContext;
  /** Foreign PIN switches left half done (a crash) release their hold and their pool PIN. */
  readonly foreign?: ForeignContext;
}

export interface PassReport {
  readonly paymentsExpired: number;
  readonly holdsExpired: number;
  readonly cardsExpired: number;
  readonly breakageMinor: bigint;
  readonly webhooks: WebhookPassReport;
  readonly orders: CompleterReport | null;
  readonly emails: EmailPassReport | null;
  readonly sms: SmsPassReport | null;
  /** Charging sessions ended by their timer (Tcc) in this pass. */
  readonly chargingSessionsExpired: number;
  /** Foreign PIN switches left half done whose hold ran out, released in this pass. */
  readonly foreignSwitchesReleased: number;
  /** Voicemail mailboxes' monthly fees taken, suspensions and closes in this pass. */
  readonly voicemail: MailboxFeeReport | null;
  /** Expiry notices (e-mail, SMS where a phone is known) written in this pass. */
  readonly expiryNoticesSent: number;
}

/** One pass of scheduled work; each step is bounded, so a pass always ends. */
export async function runWorkerPass(deps: WorkerDeps): Promise<PassReport> {
  // Payments first: they expire their own holds and tell the associate; the ledger's generic
  // pass then catches any other hold whose time has come.
  const paymentsExpired = await expireDuePayments(deps.payments);
  // Charging sessions before the ledger's pass: their reservations outlive their timers, so the
  // session timer (not the ledger) ends them and the usage record says so.
  let chargingSessionsExpired = 0;
  let voicemail: MailboxFeeReport | null = null;
  if (deps.charging !== undefined) {
    chargingSessionsExpired = await expireSilentSessions(deps.charging, limits.expiryBatchMax);
    await purgeExpiredTokens(deps.charging, limits.expiryBatchMax);
    voicemail = await chargeDueMailboxFees(deps.charging, limits.expiryBatchMax);
  }
  const holdsExpired = await expireDueHolds(deps, deps.clock.nowMs());
  // After the holds: a switch whose hold just ran out gives its pool PIN back here.
  const foreignSwitchesReleased =
    deps.foreign === undefined
      ? 0
      : (await releaseStaleSwitches(deps.foreign, { limit: limits.expiryBatchMax })).switches
          .length;
  // Notices before expiry, so a card expiring in this pass is not told after the fact.
  const expiryNoticesSent =
    deps.sales === undefined ? 0 : (await sendExpiryNotices(deps.sales)).sent;
  const cards = await expireDueCards(deps.cards, limits.expiryBatchMax);
  await purgeIdempotency(deps.payments);
  // Web orders before e-mail, so the receipts their completion writes go out in this pass.
  const orders = deps.sales === undefined ? null : await completeOrders(deps.sales);
  const emails =
    deps.notify === undefined
      ? null
      : await deliverDueEmails(deps.notify, deps.emailTransport ?? null);
  const sms =
    deps.notify === undefined ? null : await deliverDueSms(deps.notify, deps.smsTransport ?? null);
  // Last: it waits on receivers (bounded by its attempt limit, lanes and timeout), and the
  // events the steps above just wrote go out in the same pass.
  const webhooks = await deliverDueWebhooks(deps.payments);
  return {
    paymentsExpired,
    holdsExpired,
    cardsExpired: cards.expired,
    breakageMinor: cards.sweptMinor,
    webhooks,
    orders,
    emails,
    sms,
    chargingSessionsExpired,
    voicemail,
    foreignSwitchesReleased,
    expiryNoticesSent,
  };
}

/** Runs passes every `intervalMs` until stopped; a failing pass is logged and retried next time. */
export function startWorker(
  deps: WorkerDeps,
  intervalMs: number = limits.workerIntervalMs,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let smsWaitingLogged = false;
  const tick = (): void => {
    running = runWorkerPass(deps)
      .then((report) => {
        const { paymentsExpired, holdsExpired, cardsExpired, webhooks } = report;
        const orderWork =
          report.orders === null
            ? 0
            : report.orders.checked + report.orders.fulfilled + report.orders.refundsPaid;
        const mailWork = report.emails === null ? 0 : report.emails.attempted;
        const smsWork = report.sms === null ? 0 : report.sms.attempted + report.sms.expired;
        const chargingWork =
          report.chargingSessionsExpired +
          report.foreignSwitchesReleased +
          report.expiryNoticesSent +
          (report.voicemail === null
            ? 0
            : report.voicemail.charged + report.voicemail.suspended + report.voicemail.closed);
        if ((report.sms?.waiting ?? 0) > 0 && !smsWaitingLogged) {
          smsWaitingLogged = true;
          deps.log.info(
            { waiting: report.sms?.waiting },
            'SMS are waiting: no SMPP_URL, they stay queued',
          );
        }
        if (
          paymentsExpired +
            holdsExpired +
            cardsExpired +
            webhooks.attempted +
            orderWork +
            mailWork +
            smsWork +
            chargingWork >
          0
        ) {
          deps.log.info(
            { ...report, breakageMinor: report.breakageMinor.toString() },
            'worker pass',
          );
        }
      })
      .catch((error: unknown) => {
        deps.log.error({ err: error }, 'worker pass failed');
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
