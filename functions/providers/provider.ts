import type { CallbackRequest } from '../core/callbacks/callback-request';
import type { HttpClient } from '../core/runtime/http-client';
import type { ListedMessage } from '../core/reconciliation/listed-message';
import type { Outcome } from '../core/redaction/outcome';
import type { ProviderName } from '../core/provider-rules/provider-name';
import type { RedactionJob } from '../core/redaction/redaction-job';
import type { StatusEvent } from '../core/callbacks/status-event';
import type { VerifiedCallback } from '../core/callbacks/verified-callback';

/**
 * The receiving side of a provider: everything the receiver Lambda needs, and nothing that talks to
 * the provider's API (so the receiver bundle stays small).
 */
export interface CallbackProvider<Name extends string = ProviderName> {
  readonly provider: Name;
  /**
   * Validates the signing fields of the account's secret (parsed JSON: the account's signing secret
   * when it has one, else its API secret) and returns a verifier bound to them. Other fields are not read.
   * @throws SecretShapeError naming the missing or wrong fields, never their values.
   */
  bindVerifier(secret: unknown, secretId: string): CallbackVerifier;
  /**
   * Reads a StatusEvent from what a verifier verified; never from the raw request.
   * @throws MalformedCallbackError
   */
  parseCallback(callback: VerifiedCallback, route: string): StatusEvent<Name>;
}

export interface CallbackVerifier {
  /**
   * Checks the provider's signature (or shared secret) over the raw request, in constant time,
   * accepting the current and the previous secret during rotation, and returns the signed fields
   * parsed from the verified bytes with the provider account they belong to.
   * @throws AuthenticationError (401 missing, 403 wrong or for another provider account)
   * @throws MalformedCallbackError when the verified body is not in the provider's format
   */
  authenticate(request: CallbackRequest): VerifiedCallback;
}

/** The redacting side of a provider, used by the redactor Lambda. */
export interface RedactionProvider<Name extends string = ProviderName> {
  readonly provider: Name;
  /** @throws SecretShapeError */
  bindClient(secret: unknown, secretId: string): ProviderClient;
}

export interface RedactionContext {
  readonly http: HttpClient;
  /** The account's `apiBaseUrl`, else the provider's public API base URL. */
  readonly apiBaseUrl?: string;
  readonly deleteMedia: boolean;
  /** The account's terminal statuses, for adapters that confirm the status with the provider. */
  readonly terminalStatuses: ReadonlySet<string>;
  /** CarrierX: also try blanking the body (see AccountConfigSchema). */
  readonly attemptBodyUpdate: boolean;
  /**
   * Twilio: the subaccount whose messages these are, when the credentials are its parent's (acted on
   * through `/Accounts/{subaccountSid}/…`). Absent: the credentials' own account.
   */
  readonly subaccountSid?: string;
  readonly now: () => Date;
}

export interface ProviderClient {
  /** Redacts one message and classifies the answer. Never throws for provider or network failures. */
  redact(job: RedactionJob, context: RedactionContext): Promise<Outcome>;
}

/** One page request against the provider's own message list. */
export interface ListPageQuery {
  /** Messages created or sent at or after this instant… */
  readonly from: Date;
  /** …and before this one. Providers that filter by day are narrowed to the exact window here. */
  readonly to: Date;
  /** The provider's next-page reference from the previous page; absent for the first page. */
  readonly cursor?: string;
  /** Messages per page asked of the provider (each provider caps it). */
  readonly pageSize: number;
  /**
   * Providers whose list omits the body (SignalWire REST) fetch each message to test it; this says
   * which ones are worth the request. Default: every message.
   */
  readonly needsBodyCheck?: (message: Omit<ListedMessage, 'hasBody'>) => boolean;
}

export interface ListContext {
  readonly http: HttpClient;
  /** The account's `apiBaseUrl`, else the provider's public API base URL. */
  readonly apiBaseUrl?: string;
  /**
   * Twilio: the subaccount whose messages these are, when the credentials are its parent's (acted on
   * through `/Accounts/{subaccountSid}/…`). Absent: the credentials' own account.
   */
  readonly subaccountSid?: string;
  readonly now: () => Date;
}

/** A page of the list, or why it could not be read (classified like a redaction answer). */
export type ListPageResult =
  | {
      readonly ok: true;
      readonly messages: readonly ListedMessage[];
      readonly nextCursor?: string;
      /** Entries the provider returned, in the window or not: what a page costs (day filters over-read). */
      readonly scanned?: number;
      /** The provider's clock (its `Date` header): a run refuses a clock that runs ahead of it. */
      readonly serverTime?: Date;
    }
  | { readonly ok: false; readonly outcome: Exclude<Outcome, { kind: 'redacted' | 'already-redacted' | 'cannot-redact' }> };

/** The listing side of a provider, used by the reconciliation sweep and `verify`. */
export interface ListingProvider<Name extends string = ProviderName> {
  readonly provider: Name;
  /** @throws SecretShapeError */
  bindLister(secret: unknown, secretId: string): MessageLister;
}

/** One message read again by id, or why it could not be read; `message` undefined: the provider has no such message. */
export type FetchMessageResult =
  | { readonly ok: true; readonly message?: ListedMessage }
  | { readonly ok: false; readonly outcome: Extract<ListPageResult, { ok: false }>['outcome'] };

export interface MessageLister {
  /** Reads one page. Never throws for provider or network failures. Bodies are tested and dropped here. */
  listPage(query: ListPageQuery, context: ListContext): Promise<ListPageResult>;
  /**
   * Reads one message by id, shaped as the list shapes it (a coverage run re-checks a message that
   * was not final when listed). Never throws for provider or network failures.
   */
  fetchMessage?(id: string, context: ListContext): Promise<FetchMessageResult>;
}
