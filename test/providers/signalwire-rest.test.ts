import { verifiedBy } from '../support/verified-callback';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CallbackRequest } from '../../functions/core/callbacks/callback-request';
import { AuthenticationError, HttpTransportError, MalformedCallbackError, SecretShapeError } from '../../functions/core/runtime/errors';
import type { HttpResponse } from '../../functions/core/runtime/http-client';
import type { Outcome } from '../../functions/core/redaction/outcome';
import { isTerminalEvent, terminalStatusesFor } from '../../functions/core/provider-rules/terminal-rules';
import {
  classifySignalWireRestError,
  signalWireRestCallbacks,
  signalWireRestRedaction,
} from '../../functions/providers/signalwire-rest';
import { json, scriptedHttp } from '../support/fake-http';
import {
  NOW,
  PII,
  SIGNALWIRE_API_TOKEN,
  SIGNALWIRE_OLD_SIGNING_KEY,
  SIGNALWIRE_PROJECT_ID,
  SIGNALWIRE_SIGNING_KEY,
  basicAuthorization,
  captureError,
  jsonCallbackRequest,
  redactionJob,
  signalWireRestStatusBody,
  signalWireSecret,
  text,
  uuid,
  parseVerified,
} from '../support/provider-fixtures';

const URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/callbacks/sw-rest-r1';
const BASE_CONTEXT = { terminalStatuses: terminalStatusesFor('signalwire-rest', undefined), attemptBodyUpdate: false, now: () => NOW };
const MISMATCH = "X-SignalWire-Signature does not match (check the account's publicUrl and signing key)";

/**
 * The expected header, computed here straight from the documented scheme ("lowercase hex HMAC-SHA1(signing key,
 * url + raw body bytes)") with node:crypto, not with the adapter's signSignalWireRest.
 */
function handSignature(key: string, url: string, body: Buffer): string {
  return createHmac('sha1', key).update(Buffer.concat([Buffer.from(url, 'utf8'), body])).digest('hex');
}

/** A REST status callback with these raw body bytes, signed by hand unless told otherwise. */
function restRequest(
  body: string | Buffer,
  options: { url?: string; key?: string; signature?: string | null; headers?: Record<string, string> } = {},
): CallbackRequest {
  const url = options.url ?? URL;
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const signature = options.signature === undefined ? handSignature(options.key ?? SIGNALWIRE_SIGNING_KEY, url, raw) : options.signature;
  return jsonCallbackRequest(url, raw, { ...(signature === null ? {} : { 'x-signalwire-signature': signature }), ...options.headers });
}

function restBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(signalWireRestStatusBody(overrides));
}

/*
 * A fixed vector, computed once outside the adapter (Node 20, node:crypto), with BODY set to
 * VECTOR.body below (UTF-8: é and ✓ are multi-byte):
 *   node -e "const {createHmac}=require('node:crypto'); console.log(createHmac('sha1','PSK_fixedvector0123456789abcdef')
 *     .update('https://hooks.example.com/callbacks/sw-rest-r1?tenant=acme'+process.argv[1],'utf8').digest('hex'))" "$BODY"
 */
const VECTOR = {
  key: 'PSK_fixedvector0123456789abcdef',
  url: 'https://hooks.example.com/callbacks/sw-rest-r1?tenant=acme',
  body: '{"id":"0b9f4b5e-6f1a-4c2d-9e8b-3a7c5d1e2f40","project_id":"d2a1c3b4-5e6f-4a7b-8c9d-0e1f2a3b4c5d","status":"delivered","body":"héllo ✓"}',
  signature: '5d728a99da860e6f94c8d959603f5c216dfd5ba0',
  projectId: 'd2a1c3b4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
} as const;

/** Parses what the verifier verified, as the receiver does: parsing never sees the raw request. */
const parse = (request: CallbackRequest, route: string) => parseVerified(signalWireRestCallbacks, signalWireSecret(), request, route);

describe('Object: signalWireRestCallbacks', () => {
  describe('bindVerifier', () => {
    it.each([
      { name: 'a projectId that is not a UUID', secret: signalWireSecret({ projectId: 'my-project-sensitive' }), message: 'secret sec is malformed: projectId: projectId must be a UUID', planted: 'my-project-sensitive' },
      { name: 'a missing signingKey', secret: signalWireSecret({ signingKey: undefined }), message: 'secret sec is malformed: signingKey: expected string', planted: undefined },
      { name: 'a short previousSigningKey', secret: signalWireSecret({ previousSigningKey: 'PSK_7' }), message: 'secret sec is malformed: previousSigningKey: must be the previous signing key', planted: 'PSK_7' },
    ])('names the field of $name, never its value', ({ secret, message, planted }) => {
      const error = captureError(() => signalWireRestCallbacks.bindVerifier(secret, 'sec'));
      expect(error).toBeInstanceOf(SecretShapeError);
      expect(error).toMatchObject({ message, httpStatus: 500 });
      if (planted !== undefined) expect((error as Error).message).not.toContain(planted);
    });

    it('exposes the project id as the provider account', () => {
      expect(signalWireRestCallbacks.bindVerifier(signalWireSecret(), 'sec').authenticate(restRequest(restBody())).providerAccount).toBe(SIGNALWIRE_PROJECT_ID);
    });

    it('reads only the signing fields: a signing secret without apiToken and spaceUrl verifies; the redactor checks those', () => {
      const signingSecret = { projectId: SIGNALWIRE_PROJECT_ID, signingKey: SIGNALWIRE_SIGNING_KEY };
      expect(signalWireRestCallbacks.bindVerifier(signingSecret, 'sec').authenticate(restRequest(restBody()))).toMatchObject(verifiedBy('current', { id: expect.any(String) }));
      expect(captureError(() => signalWireRestRedaction.bindClient(signalWireSecret({ spaceUrl: 'example.signalwire.com/api' }), 'sec'))).toMatchObject({
        message: 'secret sec is malformed: spaceUrl: must be your space host, e.g. example.signalwire.com',
      });
    });
  });

  describe('authenticate', () => {
    const verifier = signalWireRestCallbacks.bindVerifier(signalWireSecret({ previousSigningKey: SIGNALWIRE_OLD_SIGNING_KEY }), 'sec');
    const currentOnly = signalWireRestCallbacks.bindVerifier(signalWireSecret(), 'sec');

    it('accepts the fixed hand-computed vector', () => {
      const vectorVerifier = signalWireRestCallbacks.bindVerifier(signalWireSecret({ signingKey: VECTOR.key, projectId: VECTOR.projectId }), 'sec');
      expect(handSignature(VECTOR.key, VECTOR.url, Buffer.from(VECTOR.body, 'utf8'))).toBe(VECTOR.signature);
      expect(vectorVerifier.authenticate(restRequest(VECTOR.body, { url: VECTOR.url, signature: VECTOR.signature }))).toMatchObject(verifiedBy('current', { id: expect.any(String) }));
    });

    it('accepts lowercase hex HMAC-SHA1 over the url followed by the raw body', () => {
      const request = restRequest(restBody());
      expect(request.headers['x-signalwire-signature']).toMatch(/^[0-9a-f]{40}$/);
      expect(currentOnly.authenticate(request)).toMatchObject(verifiedBy('current', { id: expect.any(String) }));
    });

    it('verifies the raw bytes as received, not a re-serialisation', () => {
      const raw = `{ "id" : "${uuid()}",\n  "status":"delivered", "body":"${PII.body}" }\n`;
      expect(currentOnly.authenticate(restRequest(raw))).toMatchObject(verifiedBy('current', { id: expect.any(String) }));
    });

    it('accepts a callback URL with a raw query string', () => {
      expect(currentOnly.authenticate(restRequest(restBody(), { url: `${URL}?tenant=a%20b&x=1` }))).toMatchObject(verifiedBy('current', { id: expect.any(String) }));
    });

    it('accepts the same signature in uppercase hex (the header is compared case-insensitively)', () => {
      const request = restRequest(restBody());
      const upper = request.headers['x-signalwire-signature']!.toUpperCase();
      expect(currentOnly.authenticate({ ...request, headers: { ...request.headers, 'x-signalwire-signature': upper } })).toMatchObject(verifiedBy('current', { id: expect.any(String) }));
    });

    it('accepts the current and the previous signing key during rotation', () => {
      const body = restBody();
      expect(verifier.authenticate(restRequest(body, { key: SIGNALWIRE_SIGNING_KEY }))).toMatchObject(verifiedBy('current', { id: expect.any(String) }));
      expect(verifier.authenticate(restRequest(body, { key: SIGNALWIRE_OLD_SIGNING_KEY }))).toMatchObject(verifiedBy('previous', { id: expect.any(String) }));
    });

    it('refuses the previous key once it is no longer configured, an unrelated key, and the API token', () => {
      const body = restBody();
      for (const [bound, key] of [
        [currentOnly, SIGNALWIRE_OLD_SIGNING_KEY],
        [verifier, 'PSK_' + 'q'.repeat(28)],
        [verifier, SIGNALWIRE_API_TOKEN],
      ] as const) {
        const error = captureError(() => bound.authenticate(restRequest(body, { key })));
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error).toMatchObject({ httpStatus: 403, message: MISMATCH });
      }
    });

    it.each([
      { name: 'no signature header', signature: null },
      { name: 'an empty signature header', signature: '' },
    ])('answers 401 for $name', ({ signature }) => {
      const error = captureError(() => verifier.authenticate(restRequest(restBody(), { signature })));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ httpStatus: 401, retryable: false, message: 'missing X-SignalWire-Signature header' });
    });

    it('does not accept X-Twilio-Signature for REST callbacks', () => {
      const request = restRequest(restBody(), { signature: null });
      const signature = handSignature(SIGNALWIRE_SIGNING_KEY, URL, request.body);
      const error = captureError(() => verifier.authenticate({ ...request, headers: { ...request.headers, 'x-twilio-signature': signature } }));
      expect(error).toMatchObject({ httpStatus: 401, message: 'missing X-SignalWire-Signature header' });
    });

    it('answers 403 without echoing the expected signature or the key', () => {
      const request = restRequest(restBody(), { key: 'PSK_' + 'n'.repeat(28) });
      const expected = handSignature(SIGNALWIRE_SIGNING_KEY, URL, request.body);
      const error = captureError(() => verifier.authenticate(request));
      expect(error).toMatchObject({ httpStatus: 403, message: MISMATCH });
      expect((error as Error).message).not.toContain(expected);
      expect((error as Error).message).not.toContain(SIGNALWIRE_SIGNING_KEY);
    });

    describe('rejects a callback where exactly one thing changed', () => {
      const body = restBody({ status: 'delivered' });
      const signed = restRequest(body);
      const signature = signed.headers['x-signalwire-signature']!;
      const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === '0' ? '1' : '0') + s.slice(at + 1);
      const withSignature = (value: string): CallbackRequest => ({ ...signed, headers: { ...signed.headers, 'x-signalwire-signature': value } });
      const alterations: Array<{ name: string; request: CallbackRequest }> = [
        { name: 'the url host', request: { ...signed, url: URL.replace('abc123', 'abc124') } },
        { name: 'the url scheme', request: { ...signed, url: URL.replace('https:', 'http:') } },
        { name: 'the url path', request: { ...signed, url: `${URL}/` } },
        { name: 'an added query string', request: { ...signed, url: `${URL}?a=1` } },
        { name: 'a query value', request: restRequest(body, { url: `${URL}?tenant=b`, signature: handSignature(SIGNALWIRE_SIGNING_KEY, `${URL}?tenant=a`, Buffer.from(body)) }) },
        { name: 'one body byte (the status)', request: { ...signed, body: Buffer.from(body.replace('"delivered"', '"delivereD"')) } },
        { name: 'one byte of the body text we never read', request: { ...signed, body: Buffer.from(body.replace('Jane', 'Jana')) } },
        { name: 'a trailing newline after the body', request: { ...signed, body: Buffer.concat([signed.body, Buffer.from('\n')]) } },
        { name: 'the body re-serialised with whitespace', request: { ...signed, body: Buffer.from(JSON.stringify(JSON.parse(body), null, 1)) } },
        { name: 'the first signature character', request: withSignature(flip(signature, 0)) },
        { name: 'the last signature character', request: withSignature(flip(signature, signature.length - 1)) },
        { name: 'a truncated signature', request: withSignature(signature.slice(0, -1)) },
        { name: 'an extra signature character', request: withSignature(`${signature}0`) },
        { name: 'the base64 encoding of the same HMAC', request: withSignature(Buffer.from(signature, 'hex').toString('base64')) },
        { name: 'a sha1= prefix', request: withSignature(`sha1=${signature}`) },
      ];
      it.each(alterations)('$name', ({ request }) => {
        const error = captureError(() => verifier.authenticate(request));
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error).toMatchObject({ httpStatus: 403, message: MISMATCH });
      });
    });
  });

  describe('parseCallback', () => {
    it('keeps ids and status only, never the body, from or to the callback carries', () => {
      const id = uuid();
      const request = restRequest(restBody({ id, status: 'undelivered', error_code: '30003', error_message: `Unknown destination ${PII.to}` }));
      const event = parse(request, 'r1');
      expect(event).toEqual({
        provider: 'signalwire-rest',
        route: 'r1',
        messageId: id,
        status: 'undelivered',
        errorCode: '30003',
      });
      const serialised = JSON.stringify(event);
      for (const pii of Object.values(PII)) expect(serialised).not.toContain(pii);
    });

    it.each([
      { name: 'a numeric error_code', errorCode: 30007, expected: '30007' },
      { name: 'a null error_code', errorCode: null, expected: undefined },
      { name: 'an error_code that is a description', errorCode: `blocked ${PII.to}`, expected: undefined },
    ])('handles $name', ({ errorCode, expected }) => {
      const event = parse(restRequest(restBody({ error_code: errorCode, status: 'failed' })), 'r1');
      expect(event.errorCode).toBe(expected);
      expect('errorCode' in event).toBe(expected !== undefined);
    });

    it('marks an inbound message as inbound', () => {
      const event = parse(restRequest(restBody({ direction: 'inbound', status: 'delivered' })), 'r1');
      expect(event.inbound).toBe(true);
      expect(parse(restRequest(restBody({ direction: 'outbound' })), 'r1').inbound).toBeUndefined();
      // Inbound is opt-in for CarrierX only: a SignalWire inbound message at a terminal status is redacted.
      expect(isTerminalEvent(event, terminalStatusesFor('signalwire-rest', undefined))).toBe(true);
    });

    it('leaves out the account when the callback has no project_id', () => {
      const id = uuid();
      const { project_id: _, ...body } = signalWireRestStatusBody({ id });
      expect(parse(restRequest(JSON.stringify(body)), 'r1')).toEqual({
        provider: 'signalwire-rest',
        route: 'r1',
        messageId: id,
        status: 'delivered',
      });
    });

    it.each([
      { name: "kind 'mms'", overrides: { kind: 'mms', media: [] }, hasMedia: true },
      { name: 'non-empty media', overrides: { kind: 'sms', media: ['https://media.example/1.jpg'] }, hasMedia: true },
      { name: "kind 'mms' with media", overrides: { kind: 'mms', media: ['https://media.example/1.jpg'] }, hasMedia: true },
      { name: "kind 'sms' and empty media", overrides: { kind: 'sms', media: [] }, hasMedia: undefined },
      { name: 'neither kind nor media', overrides: { kind: undefined, media: undefined }, hasMedia: undefined },
    ])('marks media for $name', ({ overrides, hasMedia }) => {
      const event = parse(restRequest(restBody(overrides)), 'r1');
      expect(event.hasMedia).toBe(hasMedia);
      expect('hasMedia' in event).toBe(hasMedia !== undefined);
      expect(JSON.stringify(event)).not.toContain('media.example');
    });

    it('accepts a charset parameter on the content type', () => {
      const request = restRequest(restBody(), { headers: { 'content-type': 'Application/JSON; charset=utf-8' } });
      expect(parse(request, 'r1')).toMatchObject({ status: 'delivered' });
    });

    it.each([
      { name: 'an id that is not a UUID', body: restBody({ id: `msg-${PII.from}` }), message: 'invalid SignalWire callback: id: id must be a UUID', planted: PII.from },
      { name: 'a missing id', body: restBody({ id: undefined }), message: 'invalid SignalWire callback: id: expected string', planted: undefined },
      { name: 'a missing status', body: restBody({ status: undefined }), message: 'invalid SignalWire callback: status: expected string', planted: undefined },
      { name: 'a status that is not a lower-case word', body: restBody({ status: 'DELIVERED' }), message: 'invalid SignalWire callback: status: must be a lower-case status word', planted: undefined },
      { name: 'a project_id that is not a UUID', body: restBody({ project_id: 'proj-1' }), message: 'invalid SignalWire callback: project_id: project_id must be a UUID', planted: 'proj-1' },
      { name: 'a body that is not JSON', body: `status=delivered&body=${PII.body}`, message: 'callback body must be a JSON object', planted: PII.body },
      { name: 'a JSON array', body: JSON.stringify([signalWireRestStatusBody()]), message: 'callback body must be a JSON object', planted: undefined },
      { name: 'JSON null', body: 'null', message: 'callback body must be a JSON object', planted: undefined },
    ])('rejects $name with 400', ({ body, message, planted }) => {
      const error = captureError(() => parse(restRequest(body), 'r1'));
      expect(error).toBeInstanceOf(MalformedCallbackError);
      expect(error).toMatchObject({ httpStatus: 400, message });
      if (planted !== undefined) expect((error as Error).message).not.toContain(planted);
    });

    it.each(['application/x-www-form-urlencoded', 'text/plain', undefined])('rejects the content type %s with 415', (contentType) => {
      const request = restRequest(restBody());
      const { 'content-type': _, ...headers } = request.headers;
      const error = captureError(() =>
        parse({ ...request, headers: contentType === undefined ? headers : { ...headers, 'content-type': contentType } }, 'r1'),
      );
      expect(error).toBeInstanceOf(MalformedCallbackError);
      expect(error).toMatchObject({ httpStatus: 415, message: 'callback must be application/json' });
    });
  });

  describe('terminal rules (isTerminalEvent with the default signalwire-rest set)', () => {
    const terminal = terminalStatusesFor('signalwire-rest', undefined);
    it.each([
      { status: 'sent', kind: 'mms', terminal: true, why: 'MMS never gets a delivery receipt' },
      { status: 'sent', kind: 'sms', terminal: false, why: 'SMS at sent may still move on' },
      { status: 'queued', kind: 'mms', terminal: false, why: 'SignalWire refuses redaction while queued' },
      { status: 'queued', kind: 'sms', terminal: false, why: 'SignalWire refuses redaction while queued' },
      { status: 'initiated', kind: 'mms', terminal: false, why: 'SignalWire refuses redaction while initiated' },
      { status: 'initiated', kind: 'sms', terminal: false, why: 'SignalWire refuses redaction while initiated' },
      { status: 'delivered', kind: 'sms', terminal: true, why: 'final' },
      { status: 'undelivered', kind: 'sms', terminal: true, why: 'final' },
      { status: 'failed', kind: 'mms', terminal: true, why: 'final' },
      { status: 'read', kind: 'sms', terminal: true, why: 'final' },
    ])('$status ($kind) is terminal: $terminal ($why)', ({ status, kind, terminal: expected }) => {
      const event = parse(restRequest(restBody({ status, kind })), 'r1');
      expect(isTerminalEvent(event, terminal)).toBe(expected);
    });
  });
});

describe('Function: classifySignalWireRestError', () => {
  const errors = (code: string) => ({ errors: [{ type: 'validation_error', code, message: 'x', attribute: 'body', url: 'https://developer.signalwire.com/rest/overview/error-codes' }] });
  const cases: Array<{ name: string; response: HttpResponse; outcome: Outcome }> = [
    { name: '404', response: json(404, { error: 'Not Found' }), outcome: { kind: 'not-found', code: 'http-404' } },
    { name: '404 with an errors list', response: json(404, errors('not_found')), outcome: { kind: 'not-found', code: 'not_found' } },
    {
      name: '404 with an HTML page (a wrong space)',
      response: { status: 404, headers: { 'content-type': 'text/html' }, body: '<html>Not Found</html>' },
      outcome: { kind: 'misconfigured', code: 'http-404', reason: 'SignalWire answered 404 without its "not found" error: check the account\'s apiBaseUrl, space and credentials' },
    },
    { name: '422 message_in_progress', response: json(422, errors('message_in_progress')), outcome: { kind: 'not-final', code: 'message_in_progress' } },
    { name: '422 message_queued', response: json(422, errors('message_queued')), outcome: { kind: 'not-final', code: 'message_queued' } },
    { name: '422 MESSAGE_INITIATED', response: json(422, errors('MESSAGE_INITIATED')), outcome: { kind: 'not-final', code: 'MESSAGE_INITIATED' } },
    { name: '400 status_queued', response: json(400, errors('status_queued')), outcome: { kind: 'not-final', code: 'status_queued' } },
    { name: '422 body_must_be_empty', response: json(422, errors('body_must_be_empty')), outcome: { kind: 'rejected', code: 'body_must_be_empty', reason: 'SignalWire says the redaction body was not empty: a bug in this adapter' } },
    { name: '422 another code', response: json(422, errors('invalid_parameter')), outcome: { kind: 'rejected', code: 'invalid_parameter', reason: 'SignalWire refused the request (HTTP 422)' } },
    { name: '409 with a queued-looking code (only 400/422 mean not-final)', response: json(409, errors('message_queued')), outcome: { kind: 'rejected', code: 'message_queued', reason: 'SignalWire refused the request (HTTP 409)' } },
    { name: '400 Bad Request', response: json(400, { error: 'Bad Request' }), outcome: { kind: 'rejected', code: 'http-400', reason: 'SignalWire refused the request (HTTP 400)' } },
    { name: '429 with Retry-After', response: json(429, {}, { 'retry-after': '11' }), outcome: { kind: 'throttled', code: 'http-429', retryAfterSeconds: 11 } },
    { name: '429 without Retry-After', response: json(429, {}), outcome: { kind: 'throttled', code: 'http-429' } },
    { name: '401', response: json(401, { error: 'Unauthorized' }), outcome: { kind: 'auth', code: 'http-401' } },
    { name: '403', response: text(403, ''), outcome: { kind: 'auth', code: 'http-403' } },
    { name: '500', response: json(500, { error: 'Internal Server Error' }), outcome: { kind: 'transient', code: 'http-500' } },
    { name: '502 with an HTML page', response: text(502, '<html>bad gateway</html>'), outcome: { kind: 'transient', code: 'http-502' } },
    { name: 'a code with spaces', response: json(422, errors('not a code')), outcome: { kind: 'rejected', code: 'http-422', reason: 'SignalWire refused the request (HTTP 422)' } },
  ];
  it.each(cases)('classifies $name', ({ response, outcome }) => {
    expect(classifySignalWireRestError(response, NOW)).toEqual(outcome);
  });
});

describe('Object: signalWireRestRedaction', () => {
  const client = signalWireRestRedaction.bindClient(signalWireSecret(), 'sec');
  const messageUrl = (id: string, origin = 'https://example.signalwire.com') => `${origin}/api/messaging/messages/${id}`;

  it('names the field of a malformed secret, never its value', () => {
    const error = captureError(() => signalWireRestRedaction.bindClient(signalWireSecret({ spaceUrl: 'http://example.signalwire.com' }), 'sec'));
    expect(error).toBeInstanceOf(SecretShapeError);
    expect(error).toMatchObject({ message: 'secret sec is malformed: spaceUrl: must be your space host, e.g. example.signalwire.com' });
  });

  it('sends exactly the documented redact request', async () => {
    const http = scriptedHttp(() => json(200, { ...signalWireRestStatusBody(), body: '' }));
    const target = redactionJob('signalwire-rest');
    expect(await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: false })).toEqual({ kind: 'redacted' });
    expect(http.requests).toEqual([
      {
        method: 'PATCH',
        url: `https://example.signalwire.com/api/messaging/messages/${target.messageId}`,
        headers: {
          authorization: basicAuthorization(SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN),
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: '{"body":""}',
      },
    ]);
  });

  it('uses the account apiBaseUrl instead of the space', async () => {
    const http = scriptedHttp(() => json(200, { body: '' }));
    const target = redactionJob('signalwire-rest');
    await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: false, apiBaseUrl: 'http://127.0.0.1:9999/signalwire' });
    expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`PATCH ${messageUrl(target.messageId, 'http://127.0.0.1:9999/signalwire')}`]);
  });

  it('does not call SignalWire for an id that is not a UUID', async () => {
    const http = scriptedHttp(() => json(200, {}));
    expect(await client.redact(redactionJob('signalwire-rest', { messageId: 'not-a-uuid' }), { ...BASE_CONTEXT, http, deleteMedia: false })).toEqual({
      kind: 'rejected',
      code: 'invalid-message-id',
      reason: 'message id is not a SignalWire UUID',
    });
    expect(http.requests).toHaveLength(0);
  });

  describe('classifies every answer', () => {
    const errors = (code: string) => ({ errors: [{ type: 'validation_error', code, message: 'x', attribute: 'status', url: 'https://developer.signalwire.com' }] });
    const cases: Array<{ name: string; answer: HttpResponse | Error; outcome: Outcome }> = [
      // redacted
      { name: '200 with an empty body', answer: json(200, { ...signalWireRestStatusBody(), body: '' }), outcome: { kind: 'redacted' } },
      // not-found
      { name: '404', answer: json(404, { error: 'Not Found' }), outcome: { kind: 'not-found', code: 'http-404' } },
      // not-final
      { name: '422 message_in_progress', answer: json(422, errors('message_in_progress')), outcome: { kind: 'not-final', code: 'message_in_progress' } },
      { name: '422 message_queued', answer: json(422, errors('message_queued')), outcome: { kind: 'not-final', code: 'message_queued' } },
      { name: '422 message_initiated', answer: json(422, errors('message_initiated')), outcome: { kind: 'not-final', code: 'message_initiated' } },
      // throttled
      { name: '429 with Retry-After', answer: json(429, {}, { 'retry-after': '5' }), outcome: { kind: 'throttled', code: 'http-429', retryAfterSeconds: 5 } },
      { name: '429 without Retry-After', answer: json(429, {}), outcome: { kind: 'throttled', code: 'http-429' } },
      // transient
      { name: '500', answer: json(500, { error: 'Internal Server Error' }), outcome: { kind: 'transient', code: 'http-500' } },
      { name: '503', answer: text(503, ''), outcome: { kind: 'transient', code: 'http-503' } },
      { name: 'a timeout', answer: new HttpTransportError('timeout'), outcome: { kind: 'transient', code: 'timeout' } },
      { name: 'a DNS failure', answer: new HttpTransportError('ENOTFOUND'), outcome: { kind: 'transient', code: 'ENOTFOUND' } },
      { name: '200 that is not JSON', answer: text(200, '<html>ok</html>'), outcome: { kind: 'transient', code: 'unparseable-response' } },
      { name: '200 whose JSON is null', answer: { status: 200, headers: {}, body: 'null' }, outcome: { kind: 'transient', code: 'unparseable-response' } },
      // auth
      { name: '401', answer: json(401, { error: 'Unauthorized' }), outcome: { kind: 'auth', code: 'http-401' } },
      { name: '403', answer: json(403, {}), outcome: { kind: 'auth', code: 'http-403' } },
      // rejected
      { name: '422 body_must_be_empty', answer: json(422, errors('body_must_be_empty')), outcome: { kind: 'rejected', code: 'body_must_be_empty', reason: 'SignalWire says the redaction body was not empty: a bug in this adapter' } },
      { name: '400 Bad Request', answer: json(400, { error: 'Bad Request' }), outcome: { kind: 'rejected', code: 'http-400', reason: 'SignalWire refused the request (HTTP 400)' } },
      { name: '422 another code', answer: json(422, errors('invalid_message')), outcome: { kind: 'rejected', code: 'invalid_message', reason: 'SignalWire refused the request (HTTP 422)' } },
      { name: '200 with the body still there', answer: json(200, signalWireRestStatusBody()), outcome: { kind: 'rejected', code: 'body-not-empty', reason: 'SignalWire answered 2xx but the body is not empty' } },
      { name: '200 without a body field', answer: json(200, { id: uuid(), status: 'delivered' }), outcome: { kind: 'rejected', code: 'body-not-empty', reason: 'SignalWire answered 2xx but the body is not empty' } },
    ];

    it.each(cases)('$name → $outcome.kind', async ({ answer, outcome }) => {
      const http = scriptedHttp(() => answer);
      const actual = await client.redact(redactionJob('signalwire-rest'), { ...BASE_CONTEXT, http, deleteMedia: false });
      expect(actual).toEqual(outcome);
      expect(http.requests.map((r) => r.method)).toEqual(['PATCH']);
      for (const pii of Object.values(PII)) expect(JSON.stringify(actual)).not.toContain(pii);
    });
  });
});
