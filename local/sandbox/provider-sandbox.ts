import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderName } from '../../functions/core/provider-name';
import { basicAuth } from '../../functions/providers/http-helpers';
import { NO_FAULTS, seededRandom, type FaultProfile } from './fault-profile';
import { IN_PROGRESS, newMediaId, newMessageId, type SandboxMessage } from './sandbox-message';

/** The provider-side credentials the sandbox accepts (the same values go into the local secrets). */
export interface SandboxCredentials {
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
  /** One SignalWire project serves both the compatibility and the REST API. */
  readonly signalwire: { readonly projectId: string; readonly apiToken: string };
  readonly carrierx: { readonly token: string };
}

export interface RecordedApiRequest {
  readonly provider: ProviderName;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The status code the sandbox answered (0 when it held the request without answering). */
  status: number;
}

/** A scripted answer for the next API request about one message. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Never answer: the client's timeout has to fire. */
  hang?: boolean;
}

/** Where each provider's API lives under the sandbox origin (use as the account's `apiBaseUrl`). */
export const SANDBOX_API_PATHS: Readonly<Record<ProviderName, string>> = {
  twilio: '/twilio',
  'signalwire-compat': '/signalwire',
  'signalwire-rest': '/signalwire',
  carrierx: '/carrierx/core/v2',
};

const NOT_FOUND = {
  twilio: { status: 404, body: { code: 20404, message: 'The requested resource was not found', status: 404 } },
  signalwire: { status: 404, body: { code: '404', message: 'Not Found', status: 404 } },
  rest: { status: 404, body: { errors: [{ type: 'not_found', code: 'not_found', message: 'Message not found' }] } },
  carrierx: { status: 404, body: { message: 'object not found', errors: [] } },
} as const;

/**
 * A faithful local stand-in for the four providers' message APIs (../shared/providers/*.txt):
 * a message store, redact/update with each provider's validation (empty body only, in-progress
 * messages refused with the provider's error, auth checked, 404 for unknown ids), media list/delete,
 * fault injection, and a log of every request for tests to assert on.
 */
export class ProviderSandbox {
  readonly messages = new Map<string, SandboxMessage>();
  readonly requests: RecordedApiRequest[] = [];
  faults: FaultProfile;
  #credentials: SandboxCredentials;
  readonly #random: () => number;
  readonly #scripts = new Map<string, ScriptedAnswer[]>();
  /** Remaining "not final yet" refusals per message (fault injection). */
  readonly #notFinal = new Map<string, number>();
  readonly #held = new Set<ServerResponse>();
  readonly #server: Server;
  #origin = '';

  constructor(options: { credentials: SandboxCredentials; faults?: FaultProfile; seed?: number }) {
    this.#credentials = options.credentials;
    this.faults = options.faults ?? NO_FAULTS;
    this.#random = seededRandom(options.seed ?? 1);
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.keepAliveTimeout = 60_000;
  }

  /** Listens on 127.0.0.1 (port 0 = any free port) and returns the origin. */
  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', resolve);
    });
    this.#origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.#origin;
  }

  async stop(): Promise<void> {
    for (const res of this.#held) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The account `apiBaseUrl` that points a provider's adapter at this sandbox. */
  apiBaseUrl(provider: ProviderName): string {
    return `${this.#origin}${SANDBOX_API_PATHS[provider]}`;
  }

  /** Stores a message as if it had been sent (or received) through `provider`. */
  createMessage(
    provider: ProviderName,
    options: { body: string; status?: string; media?: number; direction?: 'outbound' | 'inbound' },
  ): SandboxMessage {
    const mediaCount = options.media ?? 0;
    const message: SandboxMessage = {
      provider,
      id: newMessageId(provider, mediaCount > 0),
      body: options.body,
      status: options.status ?? 'queued',
      direction: options.direction ?? 'outbound',
      media: Array.from({ length: mediaCount }, () => newMediaId(provider)),
      userData: 'sandbox-user-data',
      redactAttempts: 0,
    };
    this.messages.set(message.id, message);
    return message;
  }

  /** Replaces the credentials the APIs accept (a rotation at the provider). */
  setCredentials(credentials: SandboxCredentials): void {
    this.#credentials = credentials;
  }

  /** Answers the next API requests about `messageId` with these, in order, before behaving normally. */
  script(messageId: string, ...answers: ScriptedAnswer[]): void {
    this.#scripts.set(messageId, [...(this.#scripts.get(messageId) ?? []), ...answers]);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const route = this.#route(req.method ?? 'GET', path);
      const record: RecordedApiRequest = {
        provider: route?.provider ?? 'twilio',
        method: req.method ?? '',
        path,
        headers: req.headers,
        body,
        status: 0,
      };
      this.requests.push(record);
      const answer = route === undefined ? { status: 404, body: { message: 'no such endpoint' } } : this.#answer(route, req, body);
      if (answer.hang) {
        this.#held.add(res);
        res.on('close', () => this.#held.delete(res));
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        record.status = answer.status;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      };
      const delay = (answer.delayMs ?? 0) + this.faults.latencyMs;
      if (delay > 0) setTimeout(send, delay);
      else send();
    });
  }

  #route(method: string, rawPath: string): Route | undefined {
    const [path = '', search = ''] = rawPath.split('?', 2);
    const query = new URLSearchParams(search);
    const list = this.#listRoute(method, path, query);
    if (list) return list;
    let m = /^\/twilio\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/.]+)(\.json|\/Media\.json|\/Media\/([^/.]+)\.json)$/.exec(path);
    if (m) return { provider: 'twilio', method, account: m[1]!, messageId: m[2]!, part: part(m[3]!), mediaId: m[4] };
    m = /^\/signalwire\/api\/laml\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/.]+)(|\.json|\/Media(?:\.json)?|\/Media\/([^/.]+)(?:\.json)?)$/.exec(path);
    if (m) return { provider: 'signalwire-compat', method, account: m[1]!, messageId: m[2]!, part: part(m[3]!), mediaId: m[4] };
    m = /^\/signalwire\/api\/messaging\/messages\/([^/]+)$/.exec(path);
    if (m) return { provider: 'signalwire-rest', method, messageId: m[1]!, part: 'message' };
    m = /^\/carrierx\/core\/v2\/sms\/messages\/([^/]+)$/.exec(path);
    if (m) return { provider: 'carrierx', method, messageId: m[1]!, part: 'message' };
    return undefined;
  }

  /** The list endpoints used for reconciliation sweeps (NOTES.md "List"). */
  #listRoute(method: string, path: string, query: URLSearchParams): Route | undefined {
    if (method !== 'GET') return undefined;
    let m = /^\/twilio\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (m) return { provider: 'twilio', method, account: m[1]!, messageId: '', part: 'list', query };
    m = /^\/signalwire\/api\/laml\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\.json)?$/.exec(path);
    if (m) return { provider: 'signalwire-compat', method, account: m[1]!, messageId: '', part: 'list', query };
    if (path === '/signalwire/api/messaging/logs') return { provider: 'signalwire-rest', method, messageId: '', part: 'list', query };
    if (path === '/carrierx/core/v2/sms/messages') return { provider: 'carrierx', method, messageId: '', part: 'list', query };
    return undefined;
  }

  #answer(route: Route, req: IncomingMessage, body: string): Answer {
    const scripted = this.#scripts.get(route.messageId)?.shift();
    if (scripted) return scripted;
    if (!this.#authorized(route, req)) return unauthorized(route.provider);
    const fault = this.#fault(route.provider);
    if (fault) return fault;
    if (route.part === 'list') return this.#list(route);
    const message = this.messages.get(route.messageId);
    if (message === undefined || !sameProviderFamily(message.provider, route.provider)) return notFound(route.provider);
    switch (route.provider) {
      case 'twilio':
      case 'signalwire-compat':
        return this.#compatible(route, message, body);
      case 'signalwire-rest':
        return this.#signalWireRest(route, message, body);
      case 'carrierx':
        return this.#carrierX(route, message, body);
    }
  }

  #authorized(route: Route, req: IncomingMessage): boolean {
    const c = this.#credentials;
    switch (route.provider) {
      case 'twilio':
        return route.account === c.twilio.accountSid && req.headers.authorization === basicAuth(c.twilio.accountSid, c.twilio.authToken);
      case 'signalwire-compat':
        return route.account === c.signalwire.projectId && req.headers.authorization === basicAuth(c.signalwire.projectId, c.signalwire.apiToken);
      case 'signalwire-rest':
        return req.headers.authorization === basicAuth(c.signalwire.projectId, c.signalwire.apiToken);
      case 'carrierx':
        return req.headers.authorization === `Bearer ${c.carrierx.token}`;
    }
  }

  #fault(provider: ProviderName): Answer | undefined {
    const f = this.faults;
    const draw = this.#random();
    if (draw < f.timeoutRate) return { status: 0, hang: true };
    if (draw < f.timeoutRate + f.serverErrorRate) {
      return { status: this.#random() < 0.5 ? 500 : 503, body: errorBody(provider, 'server_error', 'Internal Server Error', 20500) };
    }
    if (draw < f.timeoutRate + f.serverErrorRate + f.throttleRate) {
      return {
        status: 429,
        headers: { 'retry-after': String(f.retryAfterSeconds) },
        body: errorBody(provider, 'rate_limited', 'Too Many Requests', 20429),
      };
    }
    return undefined;
  }

  /** One page of a provider's message list, in that provider's shape and paging style. */
  #list(route: Route): Answer {
    const query = route.query ?? new URLSearchParams();
    const family = route.provider.startsWith('signalwire') ? 'signalwire' : route.provider;
    const status = query.get('Status');
    const all = [...this.messages.values()].filter(
      (m) => (m.provider.startsWith('signalwire') ? 'signalwire' : m.provider) === family && (status === null || this.#visibleStatus(m) === status),
    );
    const size = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? query.get('page_size') ?? query.get('limit') ?? 50) || 50));
    const page = Math.max(0, Number(query.get('Page') ?? query.get('page_number') ?? 0) || 0);
    const offset = route.provider === 'carrierx' ? Math.max(0, Number(query.get('offset') ?? 0) || 0) : page * size;
    const items = all.slice(offset, offset + size);
    const more = offset + size < all.length;
    const base = `${SANDBOX_API_PATHS[route.provider]}`;
    switch (route.provider) {
      case 'twilio':
      case 'signalwire-compat': {
        const path = route.provider === 'twilio'
          ? `/2010-04-01/Accounts/${route.account}/Messages.json`
          : `/api/laml/2010-04-01/Accounts/${route.account}/Messages`;
        return {
          status: 200,
          body: {
            messages: items.map((m) => this.#compatResource(m)),
            page,
            page_size: size,
            // Relative to the API origin, as the providers return it.
            next_page_uri: more ? `${path}?PageSize=${size}&Page=${page + 1}${status ? `&Status=${status}` : ''}` : null,
          },
        };
      }
      case 'signalwire-rest':
        return {
          status: 200,
          body: {
            data: items.map((m) => ({ id: m.id, status: this.#visibleStatus(m), direction: m.direction, kind: m.media.length > 0 ? 'mms' : 'sms', body: m.body })),
            links: { next: more ? `${this.#origin}${base}/api/messaging/logs?page_size=${size}&page_number=${page + 1}` : null },
          },
        };
      case 'carrierx':
        return {
          status: 200,
          body: { count: items.length, has_more: more, items: items.map((m) => this.#carrierXResource(m)), limit: size, offset },
        };
    }
  }

  /** The status a message shows: in progress while an injected "not final yet" fault lasts. */
  #visibleStatus(message: SandboxMessage): string {
    return this.#notFinal.has(message.id) ? inProgressStatus(message.provider) : message.status;
  }

  /**
   * Counts a redaction attempt; true when it must be refused as "not final yet". The first attempt
   * decides (once per message) whether the fault applies; the message then reads as in progress
   * until the first attempt after its last refusal, so a read-back after a refusal agrees with it.
   */
  #refuseAsNotFinal(message: SandboxMessage): boolean {
    if (message.redactAttempts === 0 && this.faults.notFinalAttempts > 0 && this.#random() < this.faults.notFinalRate) {
      this.#notFinal.set(message.id, this.faults.notFinalAttempts);
    }
    message.redactAttempts += 1;
    const left = this.#notFinal.get(message.id);
    if (left === undefined) return false;
    if (left > 0) {
      this.#notFinal.set(message.id, left - 1);
      return true;
    }
    this.#notFinal.delete(message.id);
    return false;
  }

  /** Twilio and SignalWire's compatibility API: form `Body=`, media sub-resource. */
  #compatible(route: Route, message: SandboxMessage, body: string): Answer {
    const provider = route.provider;
    if (route.part === 'message' && route.method === 'GET') return { status: 200, body: this.#compatResource(message) };
    if (route.part === 'message' && route.method === 'POST') {
      const status = this.#refuseAsNotFinal(message) ? inProgressStatus(provider) : message.status;
      const form = new URLSearchParams(body);
      if (!form.has('Body') || form.get('Body') !== '') {
        return provider === 'twilio'
          ? { status: 400, body: { code: 30400, message: 'Body must be empty to redact a message', status: 400 } }
          : { status: 422, body: { code: 'body_must_be_empty', message: 'Body must be an empty string', status: 422 } };
      }
      if (IN_PROGRESS[provider].has(status)) {
        return provider === 'twilio'
          ? { status: 400, body: { code: 20009, message: 'Cannot redact a message that is not complete', status: 400 } }
          : { status: 422, body: { code: 'message_in_progress', message: 'Message cannot be updated while in progress', status: 422 } };
      }
      redactBody(message);
      return { status: 200, body: this.#compatResource(message) };
    }
    if (route.part === 'media-list' && route.method === 'GET') {
      return { status: 200, body: { media_list: message.media.map((sid) => ({ sid })), next_page_uri: null, page: 0 } };
    }
    if (route.part === 'media' && route.method === 'DELETE' && route.mediaId !== undefined) {
      if (!message.media.includes(route.mediaId)) return notFound(provider);
      if (IN_PROGRESS[provider].has(this.#visibleStatus(message))) {
        return { status: 400, body: { code: 20009, message: 'Cannot delete media of a message in progress', status: 400 } };
      }
      message.media = message.media.filter((id) => id !== route.mediaId);
      return { status: 204 };
    }
    return { status: 405, body: errorBody(provider, 'method_not_allowed', 'Method not allowed', 20004) };
  }

  #compatResource(message: SandboxMessage): Record<string, unknown> {
    return {
      sid: message.id,
      account_sid: message.provider === 'twilio' ? this.#credentials.twilio.accountSid : this.#credentials.signalwire.projectId,
      body: message.body,
      status: this.#visibleStatus(message),
      direction: message.direction === 'inbound' ? 'inbound' : 'outbound-api',
      num_media: String(message.media.length),
      from: '+15005550006',
      to: '+14155552671',
    };
  }

  /** SignalWire REST: PATCH `{"body":""}` only. */
  #signalWireRest(route: Route, message: SandboxMessage, body: string): Answer {
    if (route.method !== 'PATCH') return { status: 405, body: errorBody('signalwire-rest', 'method_not_allowed', 'Method not allowed', 0) };
    const status = this.#refuseAsNotFinal(message) ? inProgressStatus('signalwire-rest') : message.status;
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      return { status: 400, body: errorBody('signalwire-rest', 'invalid_json', 'Body is not valid JSON', 0) };
    }
    if ((request as { body?: unknown }).body !== '') {
      return { status: 422, body: { errors: [{ type: 'validation_error', code: 'body_must_be_empty', message: 'body must be an empty string', attribute: 'body' }] } };
    }
    if (IN_PROGRESS['signalwire-rest'].has(status)) {
      return {
        status: 422,
        body: { errors: [{ type: 'validation_error', code: 'message_in_progress', message: 'Messages that are queued or initiated cannot be redacted', attribute: 'status' }] },
      };
    }
    redactBody(message);
    return {
      status: 200,
      body: { id: message.id, body: '', status, direction: message.direction, kind: message.media.length > 0 ? 'mms' : 'sms', media: [], from: '+15005550006', to: '+14155552671' },
    };
  }

  /** CarrierX: only `user_data` is updatable (carrierx-update-message.txt); `message` is ignored. */
  #carrierX(route: Route, message: SandboxMessage, body: string): Answer {
    // A CarrierX redaction starts by reading the status, so the GET is where "not final yet" shows.
    if (route.method === 'GET') {
      this.#refuseAsNotFinal(message);
      return { status: 200, body: this.#carrierXResource(message) };
    }
    if (route.method !== 'PATCH' && route.method !== 'PUT') return { status: 405, body: { message: 'method not allowed', errors: [] } };
    let update: { user_data?: unknown };
    try {
      update = JSON.parse(body) as typeof update;
    } catch {
      return { status: 400, body: { message: 'malformed json', errors: [] } };
    }
    if (typeof update.user_data === 'string') message.userData = update.user_data;
    return { status: 200, body: this.#carrierXResource(message) };
  }

  #carrierXResource(message: SandboxMessage): Record<string, unknown> {
    return {
      message_sid: message.id,
      message: message.body,
      status: this.#visibleStatus(message),
      direction: message.direction,
      type: message.media.length > 0 ? 'mms' : 'sms',
      media_urls: message.media.map((id) => `https://storage.example/${id}`),
      user_data: message.userData,
      from: '15162065575',
      to: '15162065574',
    };
  }
}

interface Route {
  readonly provider: ProviderName;
  readonly method: string;
  readonly account?: string;
  readonly messageId: string;
  readonly part: 'message' | 'media-list' | 'media' | 'list';
  readonly mediaId?: string | undefined;
  readonly query?: URLSearchParams;
}

function redactBody(message: SandboxMessage): void {
  if (message.body !== '') message.redactedAt = Date.now();
  message.body = '';
}

function part(suffix: string): Route['part'] {
  if (suffix === '' || suffix === '.json') return 'message';
  return suffix.startsWith('/Media/') ? 'media' : 'media-list';
}

function sameProviderFamily(stored: ProviderName, requested: ProviderName): boolean {
  const family = (p: ProviderName) => (p.startsWith('signalwire') ? 'signalwire' : p);
  return family(stored) === family(requested);
}

function inProgressStatus(provider: ProviderName): string {
  return { twilio: 'sending', 'signalwire-compat': 'sending', 'signalwire-rest': 'initiated', carrierx: 'queued' }[provider];
}

function notFound(provider: ProviderName): Answer {
  if (provider === 'twilio') return { ...NOT_FOUND.twilio };
  if (provider === 'signalwire-compat') return { ...NOT_FOUND.signalwire };
  if (provider === 'signalwire-rest') return { ...NOT_FOUND.rest };
  return { ...NOT_FOUND.carrierx };
}

function unauthorized(provider: ProviderName): Answer {
  return { status: 401, body: errorBody(provider, 'unauthorized', 'Authentication failed', 20003) };
}

/** An error body in the provider's own shape. */
function errorBody(provider: ProviderName, code: string, message: string, twilioCode: number): unknown {
  switch (provider) {
    case 'twilio':
      return { code: twilioCode, message, status: 0 };
    case 'signalwire-compat':
      return { code, message };
    case 'signalwire-rest':
      return { errors: [{ type: code, code, message }] };
    case 'carrierx':
      return { message, errors: [] };
  }
}
