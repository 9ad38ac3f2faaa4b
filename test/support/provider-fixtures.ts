import { randomBytes, randomUUID } from 'node:crypto';
import type { CallbackRequest } from '../../functions/core/callbacks/callback-request';
import type { StatusEvent } from '../../functions/core/callbacks/status-event';
import type { CallbackProvider } from '../../functions/providers/provider';
import type { HttpResponse } from '../../functions/core/runtime/http-client';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { PII } from './twilio-fixtures';

export { PII };

/** The clock every adapter test runs at. */
export const NOW = new Date('2026-11-25T17:00:00Z');

/** A SignalWire / CarrierX id: a random UUID (project, message and media ids alike). */
export function uuid(): string {
  return randomUUID();
}

// ---------------------------------------------------------------------------------------------
// SignalWire (shared by the Compatibility and REST APIs: same project, same signing key)
// ---------------------------------------------------------------------------------------------

export const SIGNALWIRE_PROJECT_ID = '5f0c8a1e-2b3d-4c5e-8f9a-0b1c2d3e4f5a';
export const SIGNALWIRE_API_TOKEN = 'PT' + 'a7'.repeat(24);
export const SIGNALWIRE_SIGNING_KEY = 'PSK_' + 'k3'.repeat(14);
export const SIGNALWIRE_OLD_SIGNING_KEY = 'PSK_' + 'o1'.repeat(14);
export const SIGNALWIRE_SPACE_HOST = 'example.signalwire.com';
export const SIGNALWIRE_SPACE_ORIGIN = `https://${SIGNALWIRE_SPACE_HOST}`;

/** Secrets Manager JSON for a SignalWire project (SignalWireSecretSchema). */
export function signalWireSecret(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    projectId: SIGNALWIRE_PROJECT_ID,
    apiToken: SIGNALWIRE_API_TOKEN,
    signingKey: SIGNALWIRE_SIGNING_KEY,
    spaceUrl: SIGNALWIRE_SPACE_HOST,
    ...overrides,
  };
}

/**
 * The parameters SignalWire's Compatibility API posts to a message status callback, with the PII it
 * really sends (`Body`, `From`, `To`).
 */
export function signalWireCompatStatusParams(overrides: Record<string, string> = {}): Array<[string, string]> {
  const messageSid = overrides.MessageSid ?? uuid();
  const params: Record<string, string> = {
    MessageSid: messageSid,
    SmsSid: messageSid,
    AccountSid: SIGNALWIRE_PROJECT_ID,
    From: PII.from,
    To: PII.to,
    Body: PII.body,
    NumMedia: '0',
    NumSegments: '1',
    MessageStatus: 'delivered',
    SmsStatus: 'delivered',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
  return Object.entries(params);
}

/** The JSON SignalWire's REST (Messaging) API posts to a status callback, PII included. */
export function signalWireRestStatusBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uuid(),
    project_id: SIGNALWIRE_PROJECT_ID,
    status: 'delivered',
    direction: 'outbound',
    kind: 'sms',
    media: [],
    from: PII.from,
    to: PII.to,
    body: PII.body,
    number_of_segments: 1,
    timestamp: '2026-11-25T16:59:58Z',
    error_code: null,
    error_message: null,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// CarrierX
// ---------------------------------------------------------------------------------------------

export const CARRIERX_API_TOKEN = '5ebc03d6-8b2b-44ad-bf65-72d4f1491dda';
export const CARRIERX_CALLBACK_TOKEN = randomBytes(24).toString('hex');
export const CARRIERX_OLD_CALLBACK_TOKEN = randomBytes(24).toString('hex');
export const CARRIERX_PARTNER_SID = 'e00430c3-a7d0-4666-ab5c-f7202448382f';
export const CARRIERX_BASIC_USER = 'carrierx-callbacks';
export const CARRIERX_BASIC_PASSWORD = 'b4sic-' + 'p'.repeat(20);

/** Secrets Manager JSON for a CarrierX partner (CarrierXSecretSchema). */
export function carrierXSecret(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { token: CARRIERX_API_TOKEN, callbackToken: CARRIERX_CALLBACK_TOKEN, ...overrides };
}

// ---------------------------------------------------------------------------------------------
// Vonage
// ---------------------------------------------------------------------------------------------

export const VONAGE_API_KEY = 'a1b2c3d4';
export const VONAGE_API_SECRET = 'vonage-api-' + 's'.repeat(8);
export const VONAGE_SIGNATURE_SECRET = randomBytes(24).toString('hex');

/** Secrets Manager JSON for a Vonage account (VonageSecretSchema): md5hash, the dashboard's default. */
export function vonageSecret(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiKey: VONAGE_API_KEY, apiSecret: VONAGE_API_SECRET, signatureSecret: VONAGE_SIGNATURE_SECRET, ...overrides };
}

/**
 * The SMS object CarrierX posts to the partner callback URL and returns from
 * `GET /sms/messages/{message_sid}` (CarrierX Core API reference), body (`message`) included.
 */
export function carrierXSms(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    date_changed: '2026-11-25T16:59:59.084Z',
    date_created: '2026-11-25T16:59:29.189Z',
    date_status_changed: '2026-11-25T16:59:59.046Z',
    direction: 'outbound',
    from: PII.from.replace('+', ''),
    group_recipients: [],
    mcc: 310,
    media_urls: [],
    message: PII.body,
    message_segments: 1,
    message_sid: uuid(),
    mnc: 999,
    partner_sid: CARRIERX_PARTNER_SID,
    price: '0.01',
    status: 'delivered',
    to: PII.to.replace('+', ''),
    type: 'sms',
    user_data: 'order-4711 for Jane Q. Patient',
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// Requests, jobs and answers
// ---------------------------------------------------------------------------------------------

/** A JSON callback request exactly as received (raw bytes kept). */
/** A form-encoded callback request as a provider POSTs it (repeated keys kept in order). */
export function formCallbackRequest(url: string, params: ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>, headers: Record<string, string> = {}): CallbackRequest {
  const pairs: Array<[string, string]> = (Array.isArray(params) ? params : Object.entries(params)).map(([k, v]) => [k, v]);
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: Buffer.from(new URLSearchParams(pairs).toString(), 'utf8'),
  };
}

export function jsonCallbackRequest(url: string, body: string | Buffer, headers: Record<string, string> = {}): CallbackRequest {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  };
}

/** A redaction job as the receiver enqueues it. */
export function redactionJob(provider: ProviderName, overrides: Partial<RedactionJob> = {}): RedactionJob {
  return { v: 1, provider, route: 'r1', messageId: uuid(), status: 'delivered', receivedAt: NOW.toISOString(), ...overrides };
}

/** A non-JSON answer (HTML error page, empty body, …). */
export function text(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'text/html', ...headers }, body };
}

/** The `Authorization` value for Basic credentials, computed independently of the adapters' helper. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Runs `fn` and returns what it threw; fails the test when it does not throw. */
export function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** Verifies `request` with `provider`'s verifier bound to `secret`, then parses what it verified. */
export function parseVerified(provider: CallbackProvider, secret: unknown, request: CallbackRequest, route: string): StatusEvent {
  return provider.parseCallback(provider.bindVerifier(secret, 'sec').authenticate(request), route);
}
