import { HttpTransportError } from '../core/runtime/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../core/runtime/http-client';

/**
 * HttpClient over Node's global `fetch`: for the receiver's rare provider calls (a Twilio subaccount's
 * auth token), where undici's half megabyte of cold start would cost more than a pooled connection
 * saves. Transport failures become HttpTransportError with a stable code, as with the undici client.
 */
export class FetchHttpClient implements HttpClient {
  constructor(private readonly timeoutMs: number) {}

  async request(request: HttpRequest): Promise<HttpResponse> {
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Headers iterate with lower-cased names.
      return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
    } catch (error) {
      const name = (error as Error).name;
      throw new HttpTransportError(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network-error', error);
    }
  }
}
