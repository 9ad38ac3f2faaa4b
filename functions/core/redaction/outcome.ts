/**
 * What one redaction attempt at the provider returned. Closed union: every adapter classifies every
 * answer (and every transport failure) into exactly one of these.
 */
export type Outcome =
  /** The provider confirmed the body is now empty. */
  | { readonly kind: 'redacted' }
  /** The body was already empty (a duplicate job, or someone redacted it before us). */
  | { readonly kind: 'already-redacted' }
  /** The provider does not know the message (deleted, or expired from its logs). Nothing to redact. */
  | { readonly kind: 'not-found'; readonly code?: string }
  /** The message is still in progress at the provider; try again later. */
  | { readonly kind: 'not-final'; readonly code?: string }
  /** Rate limited; `retryAfterSeconds` when the provider said how long to wait. */
  | { readonly kind: 'throttled'; readonly retryAfterSeconds?: number; readonly code?: string }
  /** Network failure, timeout or 5xx: retry with backoff. */
  | { readonly kind: 'transient'; readonly code: string }
  /** Credentials refused (401/403): refresh them once, then give up loudly. */
  | { readonly kind: 'auth'; readonly code?: string }
  /**
   * The answer says our request went to the wrong place (a 404 that is not the provider's own "no such
   * message": a wrong apiBaseUrl, space or account). Dead-lettered as a config problem, never acked.
   */
  | { readonly kind: 'misconfigured'; readonly code: string; readonly reason: string }
  /** The provider refused the request for a reason retries cannot fix. */
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string }
  /**
   * The provider's API offers no way to remove the body (CarrierX: the read-back still shows it).
   * Never reported as success: it is dead-lettered, counted and alarmed.
   */
  | { readonly kind: 'cannot-redact'; readonly code: string; readonly reason: string };

export type OutcomeKind = Outcome['kind'];
