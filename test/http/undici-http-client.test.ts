import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransportError } from '../../functions/core/runtime/errors';
import { UndiciHttpClient } from '../../functions/http/undici-http-client';

let server: Server;
let origin: string;
const client = new UndiciHttpClient({ timeoutMs: 5_000, connectionsPerOrigin: 2, maxResponseBytes: 1024 });
/** Only for the timeout case: every other request gets a generous budget on a loaded CI machine. */
const impatient = new UndiciHttpClient({ timeoutMs: 300, connectionsPerOrigin: 1 });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 10_000).unref();
      if (req.url === '/big') return void res.end('x'.repeat(4096));
      res.writeHead(201, { 'content-type': 'application/json', 'Retry-After': '3' });
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await client.close();
  await impatient.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function transportCode(url: string, via = client): Promise<string> {
  const error = await via.request({ method: 'GET', url, headers: {} }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HttpTransportError);
  return (error as HttpTransportError).code;
}

describe('Class: UndiciHttpClient', () => {
  it('sends method, path with query, headers and body, and returns status, lower-cased headers and body', async () => {
    const response = await client.request({ method: 'PATCH', url: `${origin}/a/b?x=1&y=2`, headers: { authorization: 'Basic abc' }, body: '{"body":""}' });
    expect(response.status).toBe(201);
    expect(response.headers['retry-after']).toBe('3');
    expect(JSON.parse(response.body)).toEqual({ method: 'PATCH', url: '/a/b?x=1&y=2', auth: 'Basic abc', body: '{"body":""}' });
  });

  it('turns a provider that does not answer in time into HttpTransportError("timeout")', async () => {
    expect(await transportCode(`${origin}/slow`, impatient)).toBe('timeout');
  });

  it('turns a refused connection into HttpTransportError("ECONNREFUSED")', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await transportCode(`http://127.0.0.1:${port}/`)).toBe('ECONNREFUSED');
  });

  it('cuts off an answer larger than maxResponseBytes', async () => {
    expect(await transportCode(`${origin}/big`)).toBe('response-too-large');
  });
});
