import type { HttpClient, HttpRequest, HttpResponse } from '../../functions/core/runtime/http-client';

/** An in-memory HttpClient that records requests and answers from a script (pure adapter tests). */
export function scriptedHttp(answer: (request: HttpRequest, index: number) => HttpResponse | Error): HttpClient & {
  requests: HttpRequest[];
} {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async request(request) {
      requests.push(request);
      const result = answer(request, requests.length - 1);
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
