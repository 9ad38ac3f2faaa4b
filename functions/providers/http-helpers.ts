import { HttpTransportError } from '../core/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../core/http-client';
import type { Outcome } from '../core/outcome';

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
