/**
 * Every size, count and wait of the Diameter listener has a name here. Defaults follow
 * RFC 6733 / RFC 3539 where they give one; the others are sized for credit control, whose
 * messages are a few hundred bytes.
 */
export const diameterLimits = {
  /**
   * Largest message we accept. The header allows 16 MiB; a CER or CCR is well under 4 KiB, so
   * anything past this is a broken or hostile peer and the connection is closed.
   */
  messageBytesMax: 65_536,
  /** Grouped AVPs nest at most this deep (3GPP nests about five levels). */
  avpDepthMax: 12,
  /** Requests one connection may have waiting for the handler; more are answered 3004. */
  inFlightPerConnectionMax: 256,
  /** Peer connections the listener holds at once. */
  connectionsMax: 1_024,
  /** Tw, the watchdog interval (RFC 3539 §3.4.1: default 30 s). */
  watchdogMsDefault: 30_000,
  /** A new connection must send its CER within this time or it is closed. */
  capabilitiesWaitMs: 10_000,
  /**
   * A handler that has not answered after this long gets 3004 TOO_BUSY for its request, well
   * inside the client's Tx of 10 s (RFC 8506 §13), so the client may retry or fail over.
   */
  handlerTimeoutMs: 5_000,
  /** On shutdown we send DPR and wait this long for DPA before closing anyway. */
  disconnectWaitMs: 1_000,
  /**
   * Answers queued for a peer that does not read them. Past this the peer is not keeping up (or
   * not reading at all) and the connection is closed rather than buffering without end.
   */
  writeBufferBytesMax: 1_048_576,
  /** Error-Message texts are cut to this length. */
  errorMessageCharsMax: 200,
} as const;
