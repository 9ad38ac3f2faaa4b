import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQS_LIMITS } from '../functions/core/config/aws-limits';

/**
 * A small HTTP proxy in front of the local SQS server (fauxqs) that enforces the SQS limits the
 * emulator does not: the 12-hour visibility limit counted from the ReceiveMessage (not per call),
 * and DelaySeconds of at most 15 minutes on SendMessage / SendMessageBatch. Every client of the local
 * queues (poller, redactor, receiver, DLQ CLI) talks to this endpoint, so all see the same rules.
 * The rest (receive VisibilityTimeout, batch sizes, message size) fauxqs already checks.
 */
export interface SqsLimitsProxy {
  /** `http://127.0.0.1:<port>`: the endpoint for SQS clients. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface SqsLimitsProxyOptions {
  /** Origin of the SQS server behind the proxy. */
  readonly target: string;
  /** Clock for the visibility rule, in epoch milliseconds; tests move it to simulate hours. */
  readonly now?: () => number;
  /** Port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
}

/** An SQS error in the JSON protocol's shape, as the SDK parses it. */
interface SqsErrorAnswer {
  readonly code: string;
  readonly message: string;
}

interface BatchEntry {
  readonly Id?: string;
  readonly ReceiptHandle?: string;
  readonly VisibilityTimeout?: number;
  readonly DelaySeconds?: number;
}

interface SqsRequestBody {
  readonly ReceiptHandle?: string;
  readonly VisibilityTimeout?: number;
  readonly DelaySeconds?: number;
  readonly Entries?: readonly BatchEntry[];
}

export async function startSqsLimitsProxy(options: SqsLimitsProxyOptions): Promise<SqsLimitsProxy> {
  const now = options.now ?? Date.now;
  const target = new URL(options.target);
  /** Receipt handle → when the ReceiveMessage that returned it answered (epoch ms). */
  const receivedAt = new Map<string, number>();

  const totalVisibilityError = (handle: string | undefined, timeout: number | undefined): SqsErrorAnswer | undefined => {
    const since = handle === undefined ? undefined : receivedAt.get(handle);
    if (since === undefined || timeout === undefined) return undefined;
    const elapsedSeconds = (now() - since) / 1000;
    if (elapsedSeconds + timeout <= SQS_LIMITS.maxTotalVisibilitySeconds) return undefined;
    return {
      code: 'InvalidParameterValue',
      message: `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${SQS_LIMITS.maxTotalVisibilitySeconds} seconds].`,
    };
  };
  const delayError = (delay: number | undefined): SqsErrorAnswer | undefined =>
    delay === undefined || delay <= SQS_LIMITS.maxDelaySeconds
      ? undefined
      : { code: 'InvalidParameterValue', message: `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${SQS_LIMITS.maxDelaySeconds}.` };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    const body = parseJson(raw);
    let forwarded = raw;
    let rejectedEntries: Array<{ Id: string; SenderFault: true; Code: string; Message: string }> = [];

    if (body !== undefined) {
      let refusal: SqsErrorAnswer | undefined;
      if (action === 'ChangeMessageVisibility') refusal = totalVisibilityError(body.ReceiptHandle, body.VisibilityTimeout);
      if (action === 'SendMessage') refusal = delayError(body.DelaySeconds);
      if (action === 'SendMessageBatch') refusal = (body.Entries ?? []).map((e) => delayError(e.DelaySeconds)).find((e) => e !== undefined);
      if (refusal !== undefined) return answerError(res, refusal);
      if (action === 'ChangeMessageVisibilityBatch') {
        // Like SQS: entries over the limit fail one by one, the others are applied.
        const entries = body.Entries ?? [];
        rejectedEntries = entries.flatMap((entry) => {
          const error = totalVisibilityError(entry.ReceiptHandle, entry.VisibilityTimeout);
          return error === undefined ? [] : [{ Id: entry.Id ?? '', SenderFault: true as const, Code: error.code, Message: error.message }];
        });
        const rejected = new Set(rejectedEntries.map((e) => e.Id));
        const accepted = entries.filter((entry) => !rejected.has(entry.Id ?? ''));
        if (accepted.length === 0 && entries.length > 0) return answerJson(res, 200, { Successful: [], Failed: rejectedEntries });
        forwarded = Buffer.from(JSON.stringify({ ...body, Entries: accepted }));
      }
      if (action === 'DeleteMessage' && body.ReceiptHandle !== undefined) receivedAt.delete(body.ReceiptHandle);
      if (action === 'DeleteMessageBatch') for (const entry of body.Entries ?? []) receivedAt.delete(entry.ReceiptHandle ?? '');
    }

    const upstream = await forward(target, req, forwarded);
    let answer = upstream.body;
    if (upstream.status === 200 && action === 'ReceiveMessage') {
      const at = now();
      for (const message of (parseJson(answer) as { Messages?: Array<{ ReceiptHandle?: string }> } | undefined)?.Messages ?? []) {
        if (message.ReceiptHandle !== undefined) receivedAt.set(message.ReceiptHandle, at);
      }
      forgetExpired(receivedAt, at);
    }
    if (upstream.status === 200 && rejectedEntries.length > 0) {
      const merged = parseJson(answer) as { Successful?: unknown[]; Failed?: unknown[] } | undefined;
      answer = Buffer.from(JSON.stringify({ Successful: merged?.Successful ?? [], Failed: [...(merged?.Failed ?? []), ...rejectedEntries] }));
    }
    res.writeHead(upstream.status, { ...upstream.headers, 'content-length': String(answer.length) });
    res.end(answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) answerJson(res, 500, { __type: 'com.amazonaws.sqs#InternalError', message: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A handle older than the limit can no longer be extended; dropping it keeps the map small. */
function forgetExpired(receivedAt: Map<string, number>, at: number): void {
  for (const [handle, since] of receivedAt) {
    if (at - since > SQS_LIMITS.maxTotalVisibilitySeconds * 1000) receivedAt.delete(handle);
  }
}

function parseJson(raw: Buffer): SqsRequestBody | undefined {
  try {
    const value = JSON.parse(raw.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as SqsRequestBody) : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (response) => {
        void readBody(response).then((answer) => {
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') out[name] = value;
          }
          resolve({ status: response.statusCode ?? 502, headers: out, body: answer });
        }, reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function answerError(res: ServerResponse, error: SqsErrorAnswer): void {
  res.setHeader('x-amzn-query-error', `${error.code};Sender`);
  answerJson(res, 400, { __type: `com.amazonaws.sqs#${error.code}`, message: error.message });
}

function answerJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
