import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { AccountLimiter, type AccountUsage } from './account-limiter';
import { FaultInjector } from './fault-injection';
import type { FaultProfile } from './fault-profile';
import { MessageStore, type HistorySpec, type NewMessage } from './message-store';
import { handleAdmin, SANDBOX_ADMIN_PREFIX } from './sandbox-admin';
import { JSON_HEADERS, type Answer, type ApiContext, type SandboxCredentials } from './sandbox-api';
import { PROVIDER_APIS, routeRequest, SANDBOX_API_PATHS } from './sandbox-router';
import type { SandboxMessage } from './sandbox-message';
import { TwilioSubaccounts, type SandboxSubaccount } from './twilio-subaccounts';

export type { SandboxCredentials } from './sandbox-api';
export { SANDBOX_API_PATHS } from './sandbox-router';

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

export interface ProviderSandboxOptions {
  readonly credentials: SandboxCredentials;
  /** @default NO_FAULTS */
  readonly faults?: FaultProfile;
  /** Seed of the fault draws. @default 1 */
  readonly seed?: number;
  /** Concurrent API requests one account may have in flight; above it, 429 (Twilio: 20429). @default no cap */
  readonly concurrencyCap?: number;
  /** The clock message dates are stamped with. @default Date.now */
  readonly now?: () => number;
}

/**
 * A faithful local stand-in for the providers' message APIs, one file per provider API
 * (twilio-api, signalwire-compat-api, signalwire-rest-api, carrierx-api, vonage-api) over one message store:
 * resources in each provider's format, create/fetch/redact/delete and paged lists, each provider's
 * error shapes, a per-account concurrency cap, fault injection, and a log of every request.
 */
export class ProviderSandbox {
  readonly requests: RecordedApiRequest[] = [];
  readonly #store: MessageStore;
  readonly #faults: FaultInjector;
  readonly #limiter: AccountLimiter;
  readonly #subaccounts = new TwilioSubaccounts();
  #credentials: SandboxCredentials;
  readonly #scripts = new Map<string, ScriptedAnswer[]>();
  readonly #held = new Set<ServerResponse>();
  readonly #server: Server;
  #origin = '';

  constructor(options: ProviderSandboxOptions) {
    this.#credentials = options.credentials;
    this.#store = new MessageStore(options.now ?? Date.now);
    this.#faults = new FaultInjector({ ...(options.faults ? { faults: options.faults } : {}), seed: options.seed ?? 1 });
    this.#limiter = new AccountLimiter(options.concurrencyCap);
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.keepAliveTimeout = 60_000;
  }

  /** Every message, by id (tests read and change them directly). */
  get messages(): Map<string, SandboxMessage> {
    return this.#store.messages;
  }

  /** The faults injected into the APIs; `latencyMs` is the latency L every answer waits. */
  get faults(): FaultProfile {
    return this.#faults.faults;
  }

  set faults(faults: FaultProfile) {
    this.#faults.faults = faults;
  }

  /** The per-account concurrency cap C (Infinity = none). */
  get concurrencyCap(): number {
    return this.#limiter.cap;
  }

  set concurrencyCap(cap: number) {
    if (!(cap >= 1)) throw new RangeError(`concurrencyCap must be at least 1, got ${cap}`);
    this.#limiter.cap = cap;
  }

  /** The most requests per second one account can get answered: cap C ÷ latency L (Infinity without both). */
  ceilingPerSecond(): number {
    const latencySeconds = this.faults.latencyMs / 1000;
    return Number.isFinite(this.#limiter.cap) && latencySeconds > 0 ? this.#limiter.cap / latencySeconds : Number.POSITIVE_INFINITY;
  }

  /** Request and 429 counts of the account `provider` uses (both SignalWire APIs share one project, both Vonage APIs one API key). */
  usage(provider: ProviderName): AccountUsage {
    return this.#limiter.usage(this.#accountOf(provider));
  }

  /** Zeroes the request and 429 counters, e.g. between a warm-up and a measured run. */
  resetUsage(): void {
    this.#limiter.reset();
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

  /** The account `apiBaseUrl` that points a provider's adapter (or its official client) at this sandbox. */
  apiBaseUrl(provider: ProviderName): string {
    return `${this.#origin}${SANDBOX_API_PATHS[provider]}`;
  }

  /** A new subaccount of the Twilio main account, with its own SID and auth token (also `POST /2010-04-01/Accounts.json`). */
  createTwilioSubaccount(friendlyName?: string): SandboxSubaccount {
    return this.#subaccounts.create(friendlyName, this.#store.now());
  }

  /** The Twilio subaccount `sid`, if the sandbox has it. */
  twilioSubaccount(sid: string): SandboxSubaccount | undefined {
    return this.#subaccounts.get(sid);
  }

  /** Stores a message as if it had been sent (or received) through `provider` (a Twilio subaccount's with `account`), now. */
  createMessage(provider: ProviderName, options: Omit<NewMessage, 'seeded' | 'sentAt'>): SandboxMessage {
    return this.#store.add(provider, options);
  }

  /**
   * Seeds history "sent before deployment": `spec.count` messages at past times with final statuses
   * and bodies, listed by the provider's list endpoint and never announced by a callback. Also
   * available as `POST /_sandbox/history` (see sandbox-admin).
   */
  seedHistory(provider: ProviderName, spec: HistorySpec): SandboxMessage[] {
    return this.#store.seedHistory(provider, spec);
  }

  /** Replaces the credentials the APIs accept (a rotation at the provider). */
  setCredentials(credentials: SandboxCredentials): void {
    this.#credentials = credentials;
  }

  /** Answers the next API requests about `messageId` with these, in order, before behaving normally. */
  script(messageId: string, ...answers: ScriptedAnswer[]): void {
    this.#scripts.set(messageId, [...(this.#scripts.get(messageId) ?? []), ...answers]);
  }

  #accountOf(provider: ProviderName): string {
    return PROVIDER_APIS[provider].accountOf(this.#credentials);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      const method = req.method ?? 'GET';
      if (url.startsWith(`${SANDBOX_ADMIN_PREFIX}/`)) {
        this.#send(res, handleAdmin(method, url.split('?', 1)[0]!, body, this.#store, this.#limiter));
        return;
      }
      const routed = routeRequest(method, url, req.headers, body);
      const record: RecordedApiRequest = {
        provider: routed?.route?.provider ?? routed?.api.provider ?? 'twilio',
        method,
        path: url,
        headers: req.headers,
        body,
        status: 0,
      };
      this.requests.push(record);
      if (routed === undefined) {
        this.#send(res, { status: 404, body: { message: 'no such endpoint' } }, record);
        return;
      }
      const { api, route, request } = routed;
      // Limits and counters by the account the request acts on: a Twilio subaccount's own, else the credentials'.
      const account = route?.account ?? api.accountOf(this.#credentials);
      const scripted = route ? this.#scripts.get(route.messageId)?.shift() : undefined;
      if (scripted) {
        this.#limiter.count(account);
        this.#send(res, scripted, record, account);
        return;
      }
      if (route && !api.authorized(route, request, this.#credentials, this.#subaccounts)) {
        this.#send(res, api.errors.unauthorized(), record);
        return;
      }
      if (api.uncappedMethods?.has(request.method) === true) {
        this.#limiter.count(account);
      } else {
        if (!this.#limiter.enter(account)) {
          this.#send(res, api.errors.throttled(), record, account);
          return;
        }
        res.on('close', () => this.#limiter.leave(account));
      }
      const fault = this.#faults.draw();
      let answer: Answer;
      if (fault?.kind === 'hang') {
        this.#held.add(res);
        res.on('close', () => this.#held.delete(res));
        return;
      } else if (fault?.kind === 'server-error') {
        answer = api.errors.serverError(fault.status);
      } else if (fault?.kind === 'throttle') {
        answer = api.errors.throttled(fault.retryAfterSeconds);
      } else if (route === undefined) {
        answer = api.errors.notFound(request.path);
      } else {
        const context: ApiContext = { store: this.#store, faults: this.#faults, credentials: this.#credentials, subaccounts: this.#subaccounts, origin: this.#origin };
        answer = route.handle(request, context);
      }
      this.#send(res, answer, record, account);
    });
  }

  /** Answers after the answer's own delay plus the configured latency. */
  #send(res: ServerResponse, answer: Answer, record?: RecordedApiRequest, account?: string): void {
    const send = () => {
      if (res.destroyed) return;
      if (record) record.status = answer.status;
      if (account !== undefined) this.#limiter.answered(account, answer.status);
      // The provider's clock is the sandbox's (a simulated one in tests): a sweep compares its own with it.
      res.writeHead(answer.status, { date: new Date(this.#store.now()).toUTCString(), ...(answer.body === undefined ? {} : JSON_HEADERS), ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    };
    const delay = (answer.delayMs ?? 0) + (record ? this.faults.latencyMs : 0);
    if (delay > 0) setTimeout(send, delay);
    else send();
  }
}
