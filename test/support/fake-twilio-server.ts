import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredMessage {
  body: string;
  status: string;
  media: string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A scripted answer for the next request about one message id. */
export type ScriptedAnswer = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

/**
 * A minimal Twilio Messages API on 127.0.0.1 for handler and end-to-end tests: a message store, the
 * update (redact) endpoint with Twilio's validation, media list/delete, Basic auth, and scripted
 * faults per message. Records every request.
 */
export class FakeTwilioServer {
  readonly messages = new Map<string, StoredMessage>();
  readonly requests: RecordedRequest[] = [];
  readonly #scripts = new Map<string, ScriptedAnswer[]>();
  readonly #server: Server;
  #credentials: { user: string; password: string };

  constructor(credentials: { user: string; password: string }) {
    this.#credentials = credentials;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        const answer = this.#answer(req, body);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
        else send();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Rotates the credentials the API accepts. */
  setCredentials(credentials: { user: string; password: string }): void {
    this.#credentials = credentials;
  }

  /** Answers the next requests about `messageId` with these, in order, before behaving normally. */
  script(messageId: string, ...answers: ScriptedAnswer[]): void {
    this.#scripts.set(messageId, answers);
  }

  #answer(req: IncomingMessage, body: string): ScriptedAnswer {
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\/((?:SM|MM)[0-9a-f]{32})(\.json|\/Media\.json|\/Media\/(ME[0-9a-f]{32})\.json)(?:\?.*)?$/.exec(req.url ?? '');
    if (!match) return { status: 404, body: { code: 20404, message: 'The requested resource was not found' } };
    const [, account, sid, kind, mediaSid] = match as unknown as [string, string, string, string, string | undefined];
    const expected = `Basic ${Buffer.from(`${this.#credentials.user}:${this.#credentials.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return { status: 401, body: { code: 20003, message: 'Authenticate' } };
    const scripted = this.#scripts.get(sid)?.shift();
    if (scripted) return scripted;
    const message = this.messages.get(sid);
    if (!message) return { status: 404, body: { code: 20404, message: 'The requested resource was not found' } };
    if (kind === '.json' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('Body') !== '') return { status: 400, body: { code: 30400, message: 'Body must be empty to redact' } };
      if (!['delivered', 'undelivered', 'failed', 'read', 'canceled', 'received'].includes(message.status)) {
        return { status: 400, body: { code: 20009, message: 'Cannot delete message because it is not complete' } };
      }
      message.body = '';
      return { status: 200, body: { sid, account_sid: account, body: '', status: message.status } };
    }
    if (kind === '/Media.json' && req.method === 'GET') {
      return { status: 200, body: { media_list: message.media.map((m) => ({ sid: m })), next_page_uri: null } };
    }
    if (mediaSid !== undefined && req.method === 'DELETE') {
      message.media = message.media.filter((m) => m !== mediaSid);
      return { status: 204 };
    }
    return { status: 405, body: { code: 20004, message: 'Method not allowed' } };
  }
}
