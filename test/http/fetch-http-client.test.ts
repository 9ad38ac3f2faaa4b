import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransportError } from '../../functions/core/runtime/errors';
import { FetchHttpClient } from '../../functions/http/fetch-http-client';
import { closedPort } from '../support/closed-port';

describe('Class: FetchHttpClient', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'X-Custom': 'yes' });
        res.end(JSON.stringify({ method: req.method, authorization: req.headers.authorization, body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the method, headers and body, and returns any status with lower-cased headers and the body', async () => {
    const client = new FetchHttpClient(1_000);
    const answer = await client.request({ method: 'POST', url: `${origin}/missing`, headers: { authorization: 'Basic abc' }, body: 'a=1' });
    expect(answer.status).toBe(404);
    expect(answer.headers['x-custom']).toBe('yes');
    expect(JSON.parse(answer.body)).toEqual({ method: 'POST', authorization: 'Basic abc', body: 'a=1' });
  });

  it('turns a timeout into HttpTransportError timeout', async () => {
    await expect(new FetchHttpClient(100).request({ method: 'GET', url: `${origin}/slow`, headers: {} })).rejects.toThrow(new HttpTransportError('timeout'));
  });

  it('turns a refused connection into HttpTransportError network-error', async () => {
    const port = await closedPort();
    await expect(new FetchHttpClient(1_000).request({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} })).rejects.toThrow(new HttpTransportError('network-error'));
  });
});
