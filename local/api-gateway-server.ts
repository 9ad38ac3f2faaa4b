import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ReceiverHandler } from '../functions/receiver/create-handler';

/** Media types API Gateway passes as text; anything else arrives base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml)|$)/i;

export interface LocalApiGateway {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  stop(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for the HTTP API: `POST /callbacks/{route}` becomes an
 * API Gateway v2 event (raw path, raw query string, lower-cased headers, base64 body when binary)
 * for the receiver handler; anything else gets API Gateway's own 404.
 */
export async function startApiGateway(handler: ReceiverHandler, options: { port?: number; maxBodyBytes?: number } = {}): Promise<LocalApiGateway> {
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024; // API Gateway's payload limit
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBodyBytes) {
        res.writeHead(413, { 'content-type': 'application/json' }).end('{"message":"Request Entity Too Large"}');
        return;
      }
      const event = toEvent(req, Buffer.concat(chunks));
      if (event === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      handler(event).then(
        (result) => {
          res.writeHead(result.statusCode ?? 200, { 'content-type': 'application/json', ...(result.headers as Record<string, string>) });
          res.end(result.body ?? '');
        },
        () => {
          // What API Gateway answers when the integration fails.
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 | undefined {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const match = /^\/callbacks\/([^/]+)$/.exec(rawPath);
  if (req.method !== 'POST' || !match) return undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const isText = TEXT_TYPES.test((headers['content-type'] ?? '').split(';')[0]!.trim());
  const domainName = headers.host ?? '127.0.0.1';
  const route = decodeURIComponent(match[1]!);
  return {
    version: '2.0',
    routeKey: 'POST /callbacks/{route}',
    rawPath,
    rawQueryString,
    headers,
    pathParameters: { route },
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0]!,
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: `local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      routeKey: 'POST /callbacks/{route}',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body.length === 0 ? {} : { body: isText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !isText,
  };
}
