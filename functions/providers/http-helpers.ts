import { HttpTransportError } from '../core/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../core/http-client';
import type { Outcome } from '../core/outcome';
import { parseRetryAfter } from '../core/retry-after';

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

/**
 * The HTTP-status part of every provider's classification: 404 → not-found, 429 → throttled (with
 * Retry-After), 401/403 → auth, 5xx → transient, any other 4xx → rejected with the provider's code.
 * Provider-specific codes (e.g. "not complete yet") are checked by the caller first.
 */
export function classifyByStatus(response: HttpResponse, code: string, now: Date, provider: string): Outcome {
  if (response.status === 404) return { kind: 'not-found', code };
  if (response.status === 429) {
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after'], now);
    return { kind: 'throttled', code, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  }
  if (response.status === 401 || response.status === 403) return { kind: 'auth', code };
  if (response.status >= 500 || response.status === 408) return { kind: 'transient', code };
  return { kind: 'rejected', code, reason: `${provider} refused the request (HTTP ${response.status})` };
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
