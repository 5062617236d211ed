/** The notify module's tables. */
export interface NotifyEmailTable {
  id: string;
  /** The caller's key for "this one e-mail" (an order's receipt): a second enqueue is a no-op. */
  dedupe_key: string;
  to_address: string;
  locale: string;
  template: string;
  /** In the clear so lists can show it; templates keep secrets out of subjects. */
  subject: string;
  /** AES-256-GCM nonce (base64, 12 bytes), fresh for every row. */
  body_nonce: string;
  /** The sealed JSON `{ text, html }` with its tag (base64); bound to the row id. */
  body_sealed: string;
  status: string;
  attempts: bigint;
  /** When the next attempt is due; while a send is in flight, when its lease lapses. */
  next_attempt_at_ms: bigint | null;
  last_error: string | null;
  /** Not sent before this time (a gift's delivery date); created_at_ms when not deferred. */
  send_after_ms: bigint;
  created_at_ms: bigint;
  sent_at_ms: bigint | null;
  message_id: string | null;
}

export interface NotifyTables {
  notify_email: NotifyEmailTable;
}
