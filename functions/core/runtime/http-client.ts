/** The HTTP calls provider adapters make. The AWS adapter implements it with undici; tests with fakes. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface HttpClient {
  /** Resolves with any HTTP status; rejects with HttpTransportError when no answer arrived. */
  request(request: HttpRequest): Promise<HttpResponse>;
}
