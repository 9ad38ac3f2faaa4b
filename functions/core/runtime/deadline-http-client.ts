import { DeadlineExceededError } from './errors';
import type { HttpClient, HttpRequest, HttpResponse } from './http-client';

/**
 * The HttpClient handed to a provider adapter for one record: past `deadline` it starts no new
 * request and throws DeadlineExceededError, which adapters classify as transient (`deadline`).
 * Enforcing the budget here covers every adapter and every request of a job (status checks,
 * read-backs, media pages) without each provider counting its own requests.
 */
export class DeadlineHttpClient implements HttpClient {
  constructor(
    private readonly inner: HttpClient,
    private readonly deadline: Date,
    private readonly now: () => Date,
  ) {}

  request(request: HttpRequest): Promise<HttpResponse> {
    if (this.now().getTime() >= this.deadline.getTime()) return Promise.reject(new DeadlineExceededError());
    return this.inner.request(request);
  }
}
