import type { ProviderName } from './provider-name';

/**
 * Most media pages and media items one redaction attempt works through. Twilio allows at most 10
 * media per MMS and the list is asked for 100 per page, so one page holds them all; the bound keeps a
 * provider that keeps returning `next_page_uri` from running a job past its time budget. Past it the
 * attempt ends `transient` and the next one carries on (deleted items are gone from the list).
 */
export const MEDIA_DELETION_LIMITS = {
  maxPages: 2,
  maxItems: 10,
} as const;

/** What a provider's adapter can act on: the config parser refuses options outside it. */
export interface ProviderCapabilities {
  /** The adapter deletes MMS media (`deleteMedia`). */
  readonly deletesMedia: boolean;
  /**
   * The adapter redacts a message that is still at `sent` (`sentAgeSeconds`). False where the adapter
   * confirms a terminal status with the provider before redacting: the job would answer not-final
   * until it gave up.
   */
  readonly redactsAtSent: boolean;
  /** Most provider requests one redaction attempt makes, not counting media deletion. */
  readonly maxRequests: number;
  /**
   * The provider's API may be unable to blank a body, so `provider-cannot-redact` dead letters are
   * expected in normal operation: the DLQ is then never empty and its depth is no alarm.
   */
  readonly expectsCannotRedact: boolean;
  /**
   * How long after sending the provider's API first accepts a redaction: an account's
   * `redactAfterSeconds` defaults to it, so a job is not refused (and retried) as premature.
   */
  readonly redactableAfterSeconds: number;
}

/** One row per provider; adding a provider adds a row here and its adapter. */
export const PROVIDER_CAPABILITIES: Readonly<Record<ProviderName, ProviderCapabilities>> = {
  // POST Body=.
  twilio: { deletesMedia: true, redactsAtSent: true, maxRequests: 1, expectsCannotRedact: false, redactableAfterSeconds: 0 },
  // POST Body=, then a GET to explain a 400/422 refusal.
  'signalwire-compat': { deletesMedia: true, redactsAtSent: true, maxRequests: 2, expectsCannotRedact: false, redactableAfterSeconds: 0 },
  // PATCH {"body":""}; no media delete endpoint is documented.
  'signalwire-rest': { deletesMedia: false, redactsAtSent: true, maxRequests: 1, expectsCannotRedact: false, redactableAfterSeconds: 0 },
  // GET (status check), PATCH user_data, PATCH message (attemptBodyUpdate), GET (read-back). The status
  // check answers not-final for a message at `sent`, so a sent-age job can never redact.
  carrierx: { deletesMedia: false, redactsAtSent: false, maxRequests: 4, expectsCannotRedact: true, redactableAfterSeconds: 0 },
  // One POST to the Redact API; no media delete endpoint is documented. Vonage has no `sent` status (its
  // in-between states are accepted/buffered/submitted), so no sent-age rule. The Redact API refuses a
  // record in its first hour ("premature-redaction": "a 1 hour time period before data can be redacted").
  'vonage-sms': { deletesMedia: false, redactsAtSent: false, maxRequests: 1, expectsCannotRedact: false, redactableAfterSeconds: 3600 },
  'vonage-messages': { deletesMedia: false, redactsAtSent: false, maxRequests: 1, expectsCannotRedact: false, redactableAfterSeconds: 3600 },
};

/** Most provider requests one redaction attempt of an account can make, media deletion included. */
export function maxRequestsPerAttempt(provider: ProviderName, deleteMedia: boolean): number {
  const capabilities = PROVIDER_CAPABILITIES[provider];
  const media = deleteMedia && capabilities.deletesMedia ? MEDIA_DELETION_LIMITS.maxPages + MEDIA_DELETION_LIMITS.maxItems : 0;
  return capabilities.maxRequests + media;
}
