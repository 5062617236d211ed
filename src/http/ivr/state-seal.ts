import { hkdfSync } from 'node:crypto';
import { SEAL_NONCE_BYTES, SEAL_TAG_BYTES, openBytes, sealBytes } from '../../kernel/index.ts';
import type { AwaitKind, CallState } from '../../protocols/index.ts';

/**
 * The per-call state travels in the action URLs we hand the voice platform (`?s=…`), sealed
 * with AES-256-GCM: nothing is stored per call, any server instance can take the next request,
 * and a call the platform forgets leaves nothing behind. The seal is bound to the call (CallSid)
 * and to the action it is for (gather or dial), carries an expiry, and hides what it holds (the
 * PIN between the PIN and password prompts, the subscriber token after authentication). Replaying
 * a seal within its life repeats the same step: charging requests carry the same session key and
 * request number, so the engine answers them from memory and never charges twice.
 */

const VERSION = 1;

export interface StateSeal {
  seal(callSid: string, kind: Exclude<AwaitKind, null>, state: CallState, nowMs: bigint): string;
  /** The state, or null when the seal is malformed, forged, for another call or action, or old. */
  open(
    callSid: string,
    kind: Exclude<AwaitKind, null>,
    sealed: string,
    nowMs: bigint,
  ): CallState | null;
}

/** A 32-byte state key derived from a secret of the key file (HKDF, its own label). */
export function deriveStateKey(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'onepin ivr', 'call state seal v1', 32));
}

export function stateSeal(options: {
  readonly key: Uint8Array;
  /** How long a seal for a Gather action lives (the platform posts within the prompt's timeout). */
  readonly gatherLifeMs: bigint;
  /** How long a seal for a Dial action lives (a leg lasts at most one grant). */
  readonly dialLifeMs: bigint;
}): StateSeal {
  if (options.key.length !== 32) throw new Error('ivr: the state key has 32 bytes');
  const key = Buffer.from(options.key);
  const aad = (callSid: string, kind: string): string => `ivr|${callSid}|${kind}`;
  return {
    seal(callSid, kind, state, nowMs) {
      const life = kind === 'dial' ? options.dialLifeMs : options.gatherLifeMs;
      const plain = Buffer.from(JSON.stringify({ e: Number(nowMs + life), s: state }), 'utf8');
      const { nonce, body } = sealBytes(key, aad(callSid, kind), plain);
      return Buffer.concat([Buffer.from([VERSION]), nonce, body]).toString('base64url');
    },
    open(callSid, kind, sealed, nowMs) {
      if (!/^[A-Za-z0-9_-]{1,4096}$/.test(sealed)) return null;
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 1 + SEAL_NONCE_BYTES + SEAL_TAG_BYTES + 1 || raw[0] !== VERSION) return null;
      const plain = openBytes(key, aad(callSid, kind), {
        nonce: raw.subarray(1, 1 + SEAL_NONCE_BYTES),
        body: raw.subarray(1 + SEAL_NONCE_BYTES),
      });
      if (plain === null) return null;
      const parsed = JSON.parse(plain.toString('utf8')) as { e: number; s: CallState };
      if (!Number.isSafeInteger(parsed.e) || BigInt(parsed.e) <= nowMs) return null;
      return parsed.s;
    },
  };
}
