import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { callbackRouteKey, routeFromCallbackPath } from '../functions/core/callbacks/callback-route';
import type { ReceiverHandler } from '../functions/receiver/create-handler';
import { buildHttpApiEvent } from './events/http-api-event';

export interface LocalApiGateway {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  stop(): Promise<void>;
}

/** Options of {@link startApiGateway}. */
export interface LocalApiGatewayOptions {
  /** The configured accounts' routes: the deployed HTTP API has one `POST /callbacks/<route>` each. */
  readonly routes: Iterable<string>;
  /**
   * Port on 127.0.0.1.
   * @default 0 (a free port)
   */
  readonly port?: number;
  /**
   * Larger request bodies get API Gateway's 413.
   * @default 10 MiB, API Gateway's payload limit
   */
  readonly maxBodyBytes?: number;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for the HTTP API: `POST /callbacks/<route>` of a
 * configured route becomes an API Gateway v2 event (raw path, raw query string, lower-cased headers,
 * base64 body when binary) for the receiver handler; anything else gets API Gateway's own 404, as the
 * deployed API (one route per account) answers it without invoking the receiver.
 */
export async function startApiGateway(handler: ReceiverHandler, options: LocalApiGatewayOptions): Promise<LocalApiGateway> {
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const routes: ReadonlySet<string> = new Set(options.routes);
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
      const event = toEvent(req, Buffer.concat(chunks), routes);
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

/** The event API Gateway would invoke the receiver with; undefined when no route matches (404). */
function toEvent(req: IncomingMessage, body: Buffer, routes: ReadonlySet<string>): APIGatewayProxyEventV2 | undefined {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  // The same path → route function as the receiver's adapter: a malformed escape is no route, never a throw.
  const route = routeFromCallbackPath(rawPath);
  if (req.method !== 'POST' || route === undefined || !routes.has(route)) return undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return buildHttpApiEvent({
    method: 'POST',
    domainName: headers.host ?? '127.0.0.1',
    rawPath,
    rawQueryString: queryStart === -1 ? '' : url.slice(queryStart + 1),
    headers,
    body,
    routeKey: callbackRouteKey(route),
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
  });
}
