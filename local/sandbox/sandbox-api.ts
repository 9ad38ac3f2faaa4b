import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import type { FaultInjector } from './fault-injection';
import type { MessageStore } from './message-store';
import type { SandboxMessage } from './sandbox-message';
import type { TwilioSubaccounts } from './twilio-subaccounts';

/** The provider-side credentials the sandbox accepts (the same values go into the local secrets). */
export interface SandboxCredentials {
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
  /** One SignalWire project serves both the compatibility and the REST API. */
  readonly signalwire: { readonly projectId: string; readonly apiToken: string };
  readonly carrierx: { readonly token: string };
  /** One Vonage API key and secret serve the SMS, Messages, Redact and Reports APIs. */
  readonly vonage: { readonly apiKey: string; readonly apiSecret: string };
}

/** What the sandbox answers to one API request. */
export interface Answer {
  readonly status: number;
  /** Serialised as JSON; no body when undefined. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
  /** Never answer: the client's timeout has to fire. */
  readonly hang?: boolean;
}

/** One API request, with the sandbox's provider prefix (`/twilio`, `/signalwire`, …) removed. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a provider API's handlers work with. */
export interface ApiContext {
  readonly store: MessageStore;
  readonly faults: FaultInjector;
  readonly credentials: SandboxCredentials;
  /** The Twilio main account's subaccounts. */
  readonly subaccounts: TwilioSubaccounts;
  /** The sandbox origin, for absolute links (`http://127.0.0.1:port`). */
  readonly origin: string;
}

/** A request matched to one endpoint of one provider API. */
export interface ApiRoute {
  readonly provider: ProviderName;
  /** The account named in the path, when the API puts it there (checked against the credentials). */
  readonly account?: string;
  /** The message the request is about ('' for lists and creates): scripted answers key on it. */
  readonly messageId: string;
  readonly handle: (request: ApiRequest, context: ApiContext) => Answer;
}

/** One provider's fake API: its endpoints, its authentication and its error shapes. */
export interface ProviderApi {
  readonly provider: ProviderName;
  match(request: ApiRequest): ApiRoute | undefined;
  /** Whether the request's credentials may act on the route's account (a Twilio parent's may act on its subaccounts'). */
  authorized(route: ApiRoute, request: ApiRequest, credentials: SandboxCredentials, subaccounts: TwilioSubaccounts): boolean;
  /** The account id the concurrency cap and the request counters are kept under. */
  accountOf(credentials: SandboxCredentials): string;
  /**
   * Methods the concurrency cap leaves alone: SignalWire documents GET and DELETE as "effectively
   * unlimited" and limits only writes. Default: every method counts, as at Twilio (20429).
   */
  readonly uncappedMethods?: ReadonlySet<string>;
  readonly errors: ErrorShapes;
}

/** Each provider's answers to the failures every API shares. */
export interface ErrorShapes {
  unauthorized(): Answer;
  notFound(path: string): Answer;
  /** Too many requests (the concurrency cap, or an injected throttle with its Retry-After). */
  throttled(retryAfterSeconds?: number): Answer;
  serverError(status: 500 | 503): Answer;
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** RFC 2822 in UTC, as Twilio and SignalWire's cXML API write dates ("Mon, 16 Aug 2010 03:45:01 +0000"). */
export function rfc2822(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** ISO 8601 with milliseconds, as the JSON APIs (SignalWire REST, CarrierX) write dates. */
export function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** Empties a message's body (a redaction), remembering when. */
export function redactBody(message: SandboxMessage, now: number): void {
  if (message.body !== '') message.redactedAt = now;
  message.body = '';
  message.dateUpdated = now;
}

/** A page size from a query value: default when absent or not a number, clamped to 1..max. */
export function pageSize(value: string | null, fallback: number, max = 1000): number {
  const n = value === null ? fallback : Number(value);
  return Number.isInteger(n) ? Math.min(max, Math.max(1, n)) : fallback;
}

/** SignalWire's rate limits apply to POST/PUT/PATCH; reads and deletes are "effectively unlimited". */
export const SIGNALWIRE_UNCAPPED_METHODS: ReadonlySet<string> = new Set(['GET', 'DELETE']);
