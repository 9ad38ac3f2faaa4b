import { HttpTransportError } from '../core/runtime/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../core/runtime/http-client';
import type { Outcome } from '../core/redaction/outcome';
import { parseRetryAfter } from '../core/redaction/retry-after';

/** `Authorization: Basic …` for a user and password. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Sends a request; a transport failure (timeout, reset, DNS) becomes a `transient` outcome so adapters
 * classify network trouble and HTTP answers in one flow. Programming errors still throw.
 */
export async function sendOrClassify(
  http: HttpClient,
  request: HttpRequest,
): Promise<HttpResponse | Extract<Outcome, { kind: 'transient' }>> {
  try {
    return await http.request(request);
  } catch (error) {
    if (error instanceof HttpTransportError) return { kind: 'transient', code: error.code };
    throw error;
  }
}

/** How a provider's error answers read: its name for messages, and its own "no such message" answer. */
export interface ProviderErrors {
  readonly name: string;
  /** Whether a 404 is the provider saying the message does not exist (not a wrong URL, space or account). */
  readonly isNotFound: (response: HttpResponse) => boolean;
}

/**
 * The HTTP-status part of every provider's classification: the provider's own 404 → not-found, any
 * other 404 → misconfigured (a wrong base URL or account answers 404 too, and acking it would leave the
 * body in place silently), 429 → throttled (with Retry-After), 401/403 → auth, 5xx → transient, any
 * other 4xx → rejected with the provider's code. Provider-specific codes are checked by the caller first.
 */
export function classifyByStatus(response: HttpResponse, code: string, now: Date, provider: ProviderErrors): Outcome {
  if (response.status === 404) {
    return provider.isNotFound(response)
      ? { kind: 'not-found', code }
      : { kind: 'misconfigured', code: 'http-404', reason: `${provider.name} answered 404 without its "not found" error: check the account's apiBaseUrl, space and credentials` };
  }
  if (response.status === 429) {
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after'], now);
    return { kind: 'throttled', code, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  }
  if (response.status === 401 || response.status === 403) return { kind: 'auth', code };
  if (response.status >= 500 || response.status === 408) return { kind: 'transient', code };
  return { kind: 'rejected', code, reason: `${provider.name} refused the request (HTTP ${response.status})` };
}

/** The Twilio-style error body `{ code, message, more_info, status }` (Twilio, SignalWire compatibility). */
export function twilioStyleErrorCode(response: HttpResponse): string | undefined {
  const code = parseJsonObject(response.body)?.code;
  return typeof code === 'number' || (typeof code === 'string' && /^\d+$/.test(code)) ? String(code) : undefined;
}

/**
 * Parses a JSON object answer; undefined when it is not JSON or not an object (`null`, an array…).
 * Callers treat that as a transient glitch, never as success.
 */
export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a 2xx answer. */
export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}
