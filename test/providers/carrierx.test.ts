import { verifiedBy } from '../support/verified-callback';
import { createHash, timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallbackRequest } from '../../functions/core/callbacks/callback-request';
import { AuthenticationError, HttpTransportError, MalformedCallbackError, SecretShapeError } from '../../functions/core/runtime/errors';
import type { HttpRequest, HttpResponse } from '../../functions/core/runtime/http-client';
import type { Outcome } from '../../functions/core/redaction/outcome';
import { isTerminalEvent, terminalStatusesFor } from '../../functions/core/provider-rules/terminal-rules';
import {
  CARRIERX_API_BASE_URL,
  CARRIERX_TOKEN_PARAM,
  carrierXCallbacks,
  carrierXRedaction,
  classifyCarrierXError,
} from '../../functions/providers/carrierx';
import { json, scriptedHttp } from '../support/fake-http';
import {
  CARRIERX_API_TOKEN,
  CARRIERX_BASIC_PASSWORD,
  CARRIERX_BASIC_USER,
  CARRIERX_CALLBACK_TOKEN,
  CARRIERX_OLD_CALLBACK_TOKEN,
  NOW,
  PII,
  basicAuthorization,
  captureError,
  carrierXSecret,
  carrierXSms,
  jsonCallbackRequest,
  redactionJob,
  text,
  uuid,
  parseVerified,
} from '../support/provider-fixtures';

// Wrap (not replace) timingSafeEqual, to see that tokens are compared in constant time.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const BASE_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/callbacks/carrierx-r1';
const BASE_CONTEXT = { terminalStatuses: terminalStatusesFor('carrierx', undefined), attemptBodyUpdate: false, now: () => NOW };
const BEARER = `Bearer ${CARRIERX_API_TOKEN}`;
const BASIC = basicAuthorization(CARRIERX_BASIC_USER, CARRIERX_BASIC_PASSWORD);

/** The callback URL CarrierX is configured with: the account's token in `?token=`. */
function callbackUrl(token: string = CARRIERX_CALLBACK_TOKEN, extraQuery = ''): string {
  return `${BASE_URL}?${extraQuery}${CARRIERX_TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

function carrierXRequest(sms: Record<string, unknown> = carrierXSms(), options: { url?: string; headers?: Record<string, string> } = {}): CallbackRequest {
  return jsonCallbackRequest(options.url ?? callbackUrl(), JSON.stringify(sms), options.headers);
}

function smsUrl(sid: string, base = 'https://api.carrierx.com/core/v2'): string {
  return `${base}/sms/messages/${sid}`;
}

const OK_EMPTY: HttpResponse = { status: 200, headers: {}, body: '' };

/** Parses what the verifier verified, as the receiver does: parsing never sees the raw request. */
const parse = (request: CallbackRequest, route: string) => parseVerified(carrierXCallbacks, carrierXSecret(), request, route);

describe('Object: carrierXCallbacks', () => {
  describe('bindVerifier', () => {
    it.each([
      { name: 'a missing callbackToken', secret: carrierXSecret({ callbackToken: undefined }), message: 'secret sec is malformed: callbackToken: expected string', planted: undefined },
      { name: 'a guessable callbackToken', secret: carrierXSecret({ callbackToken: 'letmein-letmein' }), message: 'secret sec is malformed: callbackToken: must be at least 32 random characters', planted: 'letmein' },
      { name: 'a short previousCallbackToken', secret: carrierXSecret({ previousCallbackToken: 'old-token' }), message: 'secret sec is malformed: previousCallbackToken: must be at least 32 random characters', planted: 'old-token' },
      { name: 'a previousCallbackToken equal to the current one', secret: carrierXSecret({ previousCallbackToken: CARRIERX_CALLBACK_TOKEN }), message: 'secret sec is malformed: previousCallbackToken must differ from callbackToken', planted: CARRIERX_CALLBACK_TOKEN },
      { name: 'an empty Basic username', secret: carrierXSecret({ callbackBasicAuth: { username: '', password: CARRIERX_BASIC_PASSWORD } }), message: 'secret sec is malformed: callbackBasicAuth.username: must not be empty', planted: CARRIERX_BASIC_PASSWORD },
      { name: 'a short Basic password', secret: carrierXSecret({ callbackBasicAuth: { username: CARRIERX_BASIC_USER, password: 'hunter2' } }), message: 'secret sec is malformed: callbackBasicAuth.password: must be at least 16 characters', planted: 'hunter2' },
      { name: 'a secret that is not an object', secret: null, message: 'secret sec is malformed: (root): expected object', planted: undefined },
    ])('names the field of $name, never its value', ({ secret, message, planted }) => {
      const error = captureError(() => carrierXCallbacks.bindVerifier(secret, 'sec'));
      expect(error).toBeInstanceOf(SecretShapeError);
      expect(error).toMatchObject({ message, httpStatus: 500, retryable: false });
      if (planted !== undefined) expect((error as Error).message).not.toContain(planted);
      expect((error as Error).message).not.toContain(CARRIERX_API_TOKEN);
    });

    it('names no provider account (CarrierX callbacks are partner-level)', () => {
      expect(carrierXCallbacks.bindVerifier(carrierXSecret(), 'sec').authenticate(carrierXRequest()).providerAccount).toBeUndefined();
    });

    it('reads only the callback fields, so a signing secret without the API token verifies', () => {
      const { token: _, ...signingSecret } = carrierXSecret();
      expect(carrierXCallbacks.bindVerifier(signingSecret, 'sec').authenticate(carrierXRequest())).toMatchObject(verifiedBy('current', { message_sid: expect.any(String) }));
      expect(captureError(() => carrierXRedaction.bindClient(signingSecret, 'sec'))).toMatchObject({ message: 'secret sec is malformed: token: expected string' });
    });
  });

  describe('authenticate', () => {
    const verifier = carrierXCallbacks.bindVerifier(carrierXSecret({ previousCallbackToken: CARRIERX_OLD_CALLBACK_TOKEN }), 'sec');
    const currentOnly = carrierXCallbacks.bindVerifier(carrierXSecret(), 'sec');

    beforeEach(() => {
      vi.mocked(timingSafeEqual).mockClear();
    });

    it('accepts the callback token in the ?token= query parameter', () => {
      expect(currentOnly.authenticate(carrierXRequest())).toMatchObject(verifiedBy('current', { message_sid: expect.any(String) }));
    });

    it('finds the token among other query parameters', () => {
      expect(currentOnly.authenticate(carrierXRequest(carrierXSms(), { url: callbackUrl(CARRIERX_CALLBACK_TOKEN, 'tenant=acme&') }))).toMatchObject(verifiedBy('current', { message_sid: expect.any(String) }));
    });

    it('accepts the current and the previous callback token during rotation', () => {
      expect(verifier.authenticate(carrierXRequest(carrierXSms(), { url: callbackUrl(CARRIERX_CALLBACK_TOKEN) }))).toMatchObject(verifiedBy('current', { message_sid: expect.any(String) }));
      expect(verifier.authenticate(carrierXRequest(carrierXSms(), { url: callbackUrl(CARRIERX_OLD_CALLBACK_TOKEN) }))).toMatchObject(verifiedBy('previous', { message_sid: expect.any(String) }));
    });

    /** What timingSafeEqual was given: SHA-256 digests, so not even the token's length leaks. */
    const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
    const compared = () => vi.mocked(timingSafeEqual).mock.calls.map(([a]) => Buffer.from(a as Uint8Array).toString('hex'));

    it('compares digests against every configured token with timingSafeEqual, even after a match', () => {
      verifier.authenticate(carrierXRequest(carrierXSms(), { url: callbackUrl(CARRIERX_CALLBACK_TOKEN) }));
      expect(timingSafeEqual).toHaveBeenCalledTimes(2);
      expect(compared()).toEqual([sha256(CARRIERX_CALLBACK_TOKEN), sha256(CARRIERX_CALLBACK_TOKEN)]);
    });

    it('compares a token of another length in constant time too (no early length check)', () => {
      expect(() => currentOnly.authenticate(carrierXRequest(carrierXSms(), { url: callbackUrl('short') }))).toThrow('callback token does not match');
      expect(compared()).toEqual([sha256('short')]);
    });

    it('compares the Basic credentials with timingSafeEqual over digests', () => {
      const withBasic = carrierXCallbacks.bindVerifier(carrierXSecret({ callbackBasicAuth: { username: CARRIERX_BASIC_USER, password: CARRIERX_BASIC_PASSWORD } }), 'sec');
      withBasic.authenticate(carrierXRequest(carrierXSms(), { headers: { authorization: BASIC } }));
      expect(compared()).toEqual([sha256(CARRIERX_CALLBACK_TOKEN), sha256(BASIC)]);
    });

    it.each([
      { name: 'no query string', url: BASE_URL },
      { name: 'an empty token', url: `${BASE_URL}?${CARRIERX_TOKEN_PARAM}=` },
      { name: 'the token under another name', url: `${BASE_URL}?Token=${CARRIERX_CALLBACK_TOKEN}` },
      { name: 'the token in the fragment', url: `${BASE_URL}#${CARRIERX_TOKEN_PARAM}=${CARRIERX_CALLBACK_TOKEN}` },
    ])('answers 401 for $name', ({ url }) => {
      const error = captureError(() => verifier.authenticate(carrierXRequest(carrierXSms(), { url })));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ httpStatus: 401, retryable: false, message: 'missing token query parameter' });
    });

    it('does not take the token from the path', () => {
      const error = captureError(() => verifier.authenticate(carrierXRequest(carrierXSms(), { url: `${BASE_URL}/${CARRIERX_CALLBACK_TOKEN}` })));
      expect(error).toMatchObject({ httpStatus: 401, message: 'missing token query parameter' });
    });

    describe('answers 403 when the token differs in exactly one way', () => {
      const token = CARRIERX_CALLBACK_TOKEN;
      const flipLast = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
      it.each([
        { name: 'an unrelated token', value: 'f'.repeat(48) },
        { name: 'the last character changed', value: flipLast },
        { name: 'the first character changed', value: (token.startsWith('0') ? '1' : '0') + token.slice(1) },
        { name: 'one character short', value: token.slice(0, -1) },
        { name: 'one character extra', value: `${token}0` },
        { name: 'a different case', value: token.toUpperCase() },
        { name: 'the API bearer token', value: CARRIERX_API_TOKEN },
      ])('$name', ({ value }) => {
        const error = captureError(() => currentOnly.authenticate(carrierXRequest(carrierXSms(), { url: callbackUrl(value) })));
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error).toMatchObject({ httpStatus: 403, message: 'callback token does not match' });
        expect((error as Error).message).not.toContain(token);
      });
    });

    it('refuses the previous token once it is no longer configured', () => {
      const error = captureError(() => currentOnly.authenticate(carrierXRequest(carrierXSms(), { url: callbackUrl(CARRIERX_OLD_CALLBACK_TOKEN) })));
      expect(error).toMatchObject({ httpStatus: 403, message: 'callback token does not match' });
    });

    it('reads only the first token when the parameter is repeated', () => {
      const url = `${BASE_URL}?${CARRIERX_TOKEN_PARAM}=${'f'.repeat(48)}&${CARRIERX_TOKEN_PARAM}=${CARRIERX_CALLBACK_TOKEN}`;
      expect(captureError(() => currentOnly.authenticate(carrierXRequest(carrierXSms(), { url })))).toMatchObject({ httpStatus: 403 });
    });

    it('ignores an Authorization header when no Basic credentials are configured', () => {
      expect(currentOnly.authenticate(carrierXRequest(carrierXSms(), { headers: { authorization: 'Basic Zm9vOmJhcg==' } }))).toMatchObject(verifiedBy('current', { message_sid: expect.any(String) }));
    });

    describe('with callbackBasicAuth configured', () => {
      const withBasic = carrierXCallbacks.bindVerifier(
        carrierXSecret({ callbackBasicAuth: { username: CARRIERX_BASIC_USER, password: CARRIERX_BASIC_PASSWORD } }),
        'sec',
      );

      it('accepts the right token and the right Basic credentials', () => {
        expect(withBasic.authenticate(carrierXRequest(carrierXSms(), { headers: { authorization: BASIC } }))).toMatchObject(verifiedBy('current', { message_sid: expect.any(String) }));
      });

      it('answers 401 when the Authorization header is missing', () => {
        const error = captureError(() => withBasic.authenticate(carrierXRequest()));
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error).toMatchObject({ httpStatus: 401, message: 'missing Authorization header' });
      });

      it.each([
        { name: 'a wrong password', authorization: basicAuthorization(CARRIERX_BASIC_USER, `${CARRIERX_BASIC_PASSWORD}x`) },
        { name: 'a wrong username', authorization: basicAuthorization('someone-else', CARRIERX_BASIC_PASSWORD) },
        { name: 'a Bearer token', authorization: `Bearer ${CARRIERX_BASIC_PASSWORD}` },
        { name: 'the credentials without the Basic scheme', authorization: BASIC.replace('Basic ', '') },
        { name: 'an empty header', authorization: '' },
      ])('answers 403 for $name', ({ authorization }) => {
        const error = captureError(() => withBasic.authenticate(carrierXRequest(carrierXSms(), { headers: { authorization } })));
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error).toMatchObject({ httpStatus: 403, message: 'Authorization does not match' });
        expect((error as Error).message).not.toContain(CARRIERX_BASIC_PASSWORD);
      });

      it('checks the token first: a wrong token fails even with the right Basic credentials', () => {
        const error = captureError(() => withBasic.authenticate(carrierXRequest(carrierXSms(), { url: callbackUrl('f'.repeat(48)), headers: { authorization: BASIC } })));
        expect(error).toMatchObject({ httpStatus: 403, message: 'callback token does not match' });
      });

      it('checks the token first: a missing token answers 401 even with the right Basic credentials', () => {
        const error = captureError(() => withBasic.authenticate(carrierXRequest(carrierXSms(), { url: BASE_URL, headers: { authorization: BASIC } })));
        expect(error).toMatchObject({ httpStatus: 401, message: 'missing token query parameter' });
      });
    });
  });

  describe('parseCallback', () => {
    it('keeps ids and status only, never the message, numbers, media or user_data the callback carries', () => {
      const sid = uuid();
      const event = parse(carrierXRequest(carrierXSms({ message_sid: sid, status: 'delivered' })), 'r1');
      expect(event).toEqual({ provider: 'carrierx', route: 'r1', messageId: sid, status: 'delivered' });
      const serialised = JSON.stringify(event);
      for (const pii of [...Object.values(PII), 'Jane Q. Patient', '15005550006']) expect(serialised).not.toContain(pii);
    });

    it("marks direction 'inbound' as inbound", () => {
      const sid = uuid();
      expect(parse(carrierXRequest(carrierXSms({ message_sid: sid, status: 'received', direction: 'inbound' })), 'r1')).toEqual({
        provider: 'carrierx',
        route: 'r1',
        messageId: sid,
        status: 'received',
        inbound: true,
      });
    });

    it.each([
      { name: "type 'mms'", overrides: { type: 'mms', media_urls: [] }, hasMedia: true },
      { name: 'non-empty media_urls', overrides: { type: 'sms', media_urls: ['https://storage.example/1.jpg'] }, hasMedia: true },
      { name: "type 'sms' and no media", overrides: { type: 'sms', media_urls: [] }, hasMedia: undefined },
      { name: 'neither type nor media_urls', overrides: { type: undefined, media_urls: undefined }, hasMedia: undefined },
    ])('marks media for $name', ({ overrides, hasMedia }) => {
      const event = parse(carrierXRequest(carrierXSms(overrides)), 'r1');
      expect(event.hasMedia).toBe(hasMedia);
      expect('hasMedia' in event).toBe(hasMedia !== undefined);
      expect(JSON.stringify(event)).not.toContain('storage.example');
    });

    it('leaves inbound out for outbound messages and when direction is absent', () => {
      expect('inbound' in parse(carrierXRequest(carrierXSms({ direction: 'outbound' })), 'r1')).toBe(false);
      expect('inbound' in parse(carrierXRequest(carrierXSms({ direction: undefined })), 'r1')).toBe(false);
    });

    it.each([
      { name: 'a message_sid that is not a UUID', sms: carrierXSms({ message_sid: `sid-${PII.from}` }), message: 'invalid CarrierX callback: message_sid: must be a UUID', planted: PII.from },
      { name: 'a missing message_sid', sms: carrierXSms({ message_sid: undefined }), message: 'invalid CarrierX callback: message_sid: expected string', planted: undefined },
      { name: 'a missing status', sms: carrierXSms({ status: undefined }), message: 'invalid CarrierX callback: status: expected string', planted: undefined },
      { name: 'a status that is not a lower-case word', sms: carrierXSms({ status: 'Delivered' }), message: 'invalid CarrierX callback: status: must be a lower-case status word', planted: undefined },
      { name: 'a direction that is not a lower-case word', sms: carrierXSms({ direction: 'In-bound' }), message: 'invalid CarrierX callback: direction: must be a lower-case word', planted: undefined },
      { name: 'media_urls that is not a list', sms: carrierXSms({ media_urls: 'https://storage.example/1.jpg' }), message: 'invalid CarrierX callback: media_urls: expected array', planted: 'storage.example' },
    ])('rejects $name with 400', ({ sms, message, planted }) => {
      const error = captureError(() => parse(carrierXRequest(sms), 'r1'));
      expect(error).toBeInstanceOf(MalformedCallbackError);
      expect(error).toMatchObject({ httpStatus: 400, message });
      if (planted !== undefined) expect((error as Error).message).not.toContain(planted);
    });

    it.each([
      { name: 'a body that is not JSON', body: `message=${PII.body}` },
      { name: 'a JSON array', body: '[]' },
      { name: 'a JSON string', body: '"delivered"' },
    ])('rejects $name with 400', ({ body }) => {
      const error = captureError(() => parse(jsonCallbackRequest(callbackUrl(), body), 'r1'));
      expect(error).toBeInstanceOf(MalformedCallbackError);
      expect(error).toMatchObject({ httpStatus: 400, message: 'callback body must be a JSON object' });
    });

    it.each(['application/x-www-form-urlencoded', 'text/json'])('rejects the content type %s with 415', (contentType) => {
      const error = captureError(() => parse(carrierXRequest(carrierXSms(), { headers: { 'content-type': contentType } }), 'r1'));
      expect(error).toBeInstanceOf(MalformedCallbackError);
      expect(error).toMatchObject({ httpStatus: 415, message: 'callback must be application/json' });
    });
  });

  describe('terminal rules (isTerminalEvent)', () => {
    const event = (overrides: Record<string, unknown>) => parse(carrierXRequest(carrierXSms(overrides)), 'r1');

    it('does not redact an inbound message at received by default', () => {
      expect(isTerminalEvent(event({ direction: 'inbound', status: 'received' }), terminalStatusesFor('carrierx', undefined))).toBe(false);
    });

    it('redacts an inbound message at received when the account terminal set includes received', () => {
      expect(isTerminalEvent(event({ direction: 'inbound', status: 'received' }), terminalStatusesFor('carrierx', ['delivered', 'received']))).toBe(true);
    });

    it('does not redact an inbound message when the account terminal set leaves received out', () => {
      expect(isTerminalEvent(event({ direction: 'inbound', status: 'delivered' }), terminalStatusesFor('carrierx', ['delivered', 'failed']))).toBe(false);
    });

    it.each([
      { status: 'delivered', type: 'sms', terminal: true },
      { status: 'undelivered', type: 'sms', terminal: true },
      { status: 'failed', type: 'mms', terminal: true },
      { status: 'sent', type: 'sms', terminal: false },
      { status: 'sent', type: 'mms', terminal: false },
      { status: 'queued', type: 'mms', terminal: false },
    ])('outbound $type at $status is terminal by default: $terminal', ({ status, type, terminal }) => {
      expect(isTerminalEvent(event({ direction: 'outbound', status, type }), terminalStatusesFor('carrierx', undefined))).toBe(terminal);
    });
  });
});

describe('Function: classifyCarrierXError', () => {
  it.each<{ name: string; response: HttpResponse; outcome: Outcome }>([
    { name: '404', response: json(404, { message: 'object not found', errors: [] }), outcome: { kind: 'not-found', code: 'http-404' } },
    { name: '429 with Retry-After', response: json(429, {}, { 'retry-after': '9' }), outcome: { kind: 'throttled', code: 'http-429', retryAfterSeconds: 9 } },
    { name: '429 without Retry-After', response: json(429, {}), outcome: { kind: 'throttled', code: 'http-429' } },
    { name: '401', response: json(401, { message: 'unauthorized' }), outcome: { kind: 'auth', code: 'http-401' } },
    { name: '403', response: json(403, {}), outcome: { kind: 'auth', code: 'http-403' } },
    { name: '500', response: text(500, ''), outcome: { kind: 'transient', code: 'http-500' } },
    { name: '400 with field errors', response: json(400, { message: 'bad request', errors: [{ field: 'message', message: 'read only', reference_sid: null }] }), outcome: { kind: 'rejected', code: 'http-400', reason: 'CarrierX refused the request (HTTP 400)' } },
  ])('classifies $name', ({ response, outcome }) => {
    expect(classifyCarrierXError(response, NOW)).toEqual(outcome);
  });
});

describe('Object: carrierXRedaction', () => {
  const client = carrierXRedaction.bindClient(carrierXSecret(), 'sec');

  /** CarrierX as documented: GET returns the SMS; PATCH changes only user_data; `message` stays. */
  function carrierX(sms: Record<string, unknown>, override?: (request: HttpRequest, index: number) => HttpResponse | Error | undefined) {
    const state = { ...sms };
    return scriptedHttp((request, index) => {
      const scripted = override?.(request, index);
      if (scripted !== undefined) return scripted;
      if (request.method === 'PATCH') {
        const update = JSON.parse(request.body ?? '{}') as { user_data?: unknown };
        if (typeof update.user_data === 'string') state.user_data = update.user_data;
      }
      return json(200, state);
    });
  }

  it('exports the documented API base', () => {
    expect(CARRIERX_API_BASE_URL).toBe('https://api.carrierx.com/core/v2');
  });

  it('names the field of a malformed secret, never its value', () => {
    const error = captureError(() => carrierXRedaction.bindClient(carrierXSecret({ token: 'short' }), 'sec'));
    expect(error).toBeInstanceOf(SecretShapeError);
    expect(error).toMatchObject({ message: 'secret sec is malformed: token: must be the CarrierX API bearer token' });
  });

  it('confirms the status, clears user_data and reads the message back, exactly as documented', async () => {
    const sms = carrierXSms();
    const sid = sms.message_sid as string;
    const http = carrierX(sms);
    const outcome = await client.redact(redactionJob('carrierx', { messageId: sid }), { ...BASE_CONTEXT, http, deleteMedia: false });
    expect(outcome).toEqual({
      kind: 'cannot-redact',
      code: 'body-not-updatable',
      reason: 'CarrierX still returns the message body after the update; its API offers no way to remove it',
    });
    const read = { method: 'GET', url: `https://api.carrierx.com/core/v2/sms/messages/${sid}`, headers: { authorization: BEARER, accept: 'application/json' } };
    expect(http.requests).toEqual([
      read,
      {
        method: 'PATCH',
        url: `https://api.carrierx.com/core/v2/sms/messages/${sid}`,
        headers: { authorization: BEARER, accept: 'application/json', 'content-type': 'application/json' },
        body: '{"user_data":""}',
      },
      read,
    ]);
  });

  it('also sends message: "" when the account enables attemptBodyUpdate', async () => {
    const sms = carrierXSms();
    const http = carrierX(sms);
    const outcome = await client.redact(redactionJob('carrierx', { messageId: sms.message_sid as string }), { ...BASE_CONTEXT, attemptBodyUpdate: true, http, deleteMedia: false });
    expect(outcome).toEqual({
      kind: 'cannot-redact',
      code: 'body-update-ignored',
      reason: 'CarrierX still returns the message body after the update; its API offers no way to remove it',
    });
    // user_data first, on its own (the one documented field), then the body attempt, then the read-back.
    expect(http.requests.map((r) => `${r.method} ${r.body ?? ''}`)).toEqual(['GET ', 'PATCH {"user_data":""}', 'PATCH {"message":""}', 'GET ']);
  });

  it('reports redacted only when the read-back shows an empty body', async () => {
    const sms = carrierXSms();
    const http = carrierX(sms, (_request, index) => (index === 3 ? json(200, { ...sms, message: '', user_data: '' }) : undefined));
    expect(await client.redact(redactionJob('carrierx', { messageId: sms.message_sid as string }), { ...BASE_CONTEXT, attemptBodyUpdate: true, http, deleteMedia: false })).toEqual({
      kind: 'redacted',
    });
    expect(http.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'PATCH', 'GET']);
  });

  it('still clears user_data when CarrierX refuses the message field (attemptBodyUpdate)', async () => {
    // CarrierX documents user_data as the only updatable field: a PATCH naming `message` may be
    // refused as a whole. docs/providers.md: clear user_data, attempt what the API allows, read back.
    const sms = carrierXSms();
    const state = { ...sms };
    const http = scriptedHttp((request) => {
      if (request.method === 'PATCH') {
        const update = JSON.parse(request.body ?? '{}') as Record<string, unknown>;
        if ('message' in update) return json(422, { message: 'message is read-only', errors: [{ field: 'message', message: 'read only' }] });
        if (typeof update.user_data === 'string') state.user_data = update.user_data;
      }
      return json(200, state);
    });
    const outcome = await client.redact(redactionJob('carrierx', { messageId: sms.message_sid as string }), { ...BASE_CONTEXT, attemptBodyUpdate: true, http, deleteMedia: false });
    expect(outcome).toMatchObject({ kind: 'cannot-redact' });
    expect(state.user_data).toBe('');
  });

  it('uses the account apiBaseUrl in place of the API base', async () => {
    const sms = carrierXSms();
    const sid = sms.message_sid as string;
    const base = 'http://127.0.0.1:9999/carrierx/core/v2';
    const http = carrierX(sms);
    await client.redact(redactionJob('carrierx', { messageId: sid }), { ...BASE_CONTEXT, http, deleteMedia: false, apiBaseUrl: base });
    expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${smsUrl(sid, base)}`, `PATCH ${smsUrl(sid, base)}`, `GET ${smsUrl(sid, base)}`]);
  });

  it('does not call CarrierX for an id that is not a UUID', async () => {
    const http = scriptedHttp(() => json(200, {}));
    expect(await client.redact(redactionJob('carrierx', { messageId: '097b49df_c54e' }), { ...BASE_CONTEXT, http, deleteMedia: false })).toEqual({
      kind: 'rejected',
      code: 'invalid-message-id',
      reason: 'message id is not a CarrierX message_sid',
    });
    expect(http.requests).toHaveLength(0);
  });

  it('confirms the status against the account terminal set (inbound opt-in)', async () => {
    const sms = carrierXSms({ direction: 'inbound', status: 'received' });
    const job = redactionJob('carrierx', { messageId: sms.message_sid as string, status: 'received' });
    const optedIn = carrierX(sms);
    await client.redact(job, { ...BASE_CONTEXT, terminalStatuses: terminalStatusesFor('carrierx', ['delivered', 'received']), http: optedIn, deleteMedia: false });
    expect(optedIn.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET']);
    const notOptedIn = carrierX(sms);
    expect(await client.redact(job, { ...BASE_CONTEXT, terminalStatuses: terminalStatusesFor('carrierx', ['delivered']), http: notOptedIn, deleteMedia: false })).toEqual({
      kind: 'not-final',
      code: 'status-received',
    });
    expect(notOptedIn.requests.map((r) => r.method)).toEqual(['GET']);
  });

  describe('classifies every answer', () => {
    const sid = uuid();
    const sms = carrierXSms({ message_sid: sid });
    const cannotRedact: Outcome = {
      kind: 'cannot-redact',
      code: 'body-not-updatable',
      reason: 'CarrierX still returns the message body after the update; its API offers no way to remove it',
    };
    const cases: Array<{ name: string; answers: Array<HttpResponse | Error>; attemptBodyUpdate?: boolean; outcome: Outcome; methods: string[] }> = [
      // redacted
      { name: 'a read-back with an empty message', answers: [json(200, sms), OK_EMPTY, json(200, { ...sms, message: '', user_data: '' })], outcome: { kind: 'redacted' }, methods: ['GET', 'PATCH', 'GET'] },
      // already-redacted
      { name: 'a first read with an empty message and user_data', answers: [json(200, { ...sms, message: '', user_data: '' })], outcome: { kind: 'already-redacted' }, methods: ['GET'] },
      { name: 'a first read with an empty message and null user_data', answers: [json(200, { ...sms, message: '', user_data: null })], outcome: { kind: 'already-redacted' }, methods: ['GET'] },
      // cannot-redact
      { name: 'a read-back that still shows the body', answers: [json(200, sms), json(200, { ...sms, user_data: '' }), json(200, { ...sms, user_data: '' })], outcome: cannotRedact, methods: ['GET', 'PATCH', 'GET'] },
      { name: 'a read-back without a message field', answers: [json(200, sms), OK_EMPTY, json(200, { message_sid: sid, status: 'delivered' })], outcome: cannotRedact, methods: ['GET', 'PATCH', 'GET'] },
      {
        name: 'a PATCH refused (400) for the message field, then the body still there',
        attemptBodyUpdate: true,
        answers: [json(200, sms), OK_EMPTY, json(400, { message: 'bad request', errors: [{ field: 'message' }] }), json(200, sms)],
        outcome: { ...cannotRedact, code: 'body-update-ignored' },
        methods: ['GET', 'PATCH', 'PATCH', 'GET'],
      },
      {
        name: 'a PATCH refused (422) for the message field, then the body still there',
        attemptBodyUpdate: true,
        answers: [json(200, sms), OK_EMPTY, json(422, { message: 'unprocessable', errors: [] }), json(200, sms)],
        outcome: { ...cannotRedact, code: 'body-update-ignored' },
        methods: ['GET', 'PATCH', 'PATCH', 'GET'],
      },
      // not-found
      { name: '404 on the first read', answers: [json(404, { message: 'object not found', errors: [] })], outcome: { kind: 'not-found', code: 'http-404' }, methods: ['GET'] },
      { name: '404 on the PATCH', answers: [json(200, sms), json(404, { message: 'object not found', errors: [] })], outcome: { kind: 'not-found', code: 'http-404' }, methods: ['GET', 'PATCH'] },
      { name: '404 on the read-back', answers: [json(200, sms), OK_EMPTY, json(404, { message: 'object not found', errors: [] })], outcome: { kind: 'not-found', code: 'http-404' }, methods: ['GET', 'PATCH', 'GET'] },
      {
        name: '404 that is not CarrierX\'s own (a wrong base URL)',
        answers: [json(404, { message: 'no such endpoint' })],
        outcome: { kind: 'misconfigured', code: 'http-404', reason: 'CarrierX answered 404 without its "not found" error: check the account\'s apiBaseUrl, space and credentials' },
        methods: ['GET'],
      },
      // not-final
      { name: 'a first read at queued', answers: [json(200, { ...sms, status: 'queued' })], outcome: { kind: 'not-final', code: 'status-queued' }, methods: ['GET'] },
      { name: 'a first read at sent', answers: [json(200, { ...sms, status: 'sent' })], outcome: { kind: 'not-final', code: 'status-sent' }, methods: ['GET'] },
      { name: 'a first read without a status', answers: [json(200, { ...sms, status: undefined })], outcome: { kind: 'not-final', code: 'status-unknown' }, methods: ['GET'] },
      // throttled
      { name: '429 with Retry-After on the first read', answers: [json(429, {}, { 'retry-after': '4' })], outcome: { kind: 'throttled', code: 'http-429', retryAfterSeconds: 4 }, methods: ['GET'] },
      { name: '429 without Retry-After on the PATCH', answers: [json(200, sms), json(429, {})], outcome: { kind: 'throttled', code: 'http-429' }, methods: ['GET', 'PATCH'] },
      // transient
      { name: '500 on the first read', answers: [text(500, '')], outcome: { kind: 'transient', code: 'http-500' }, methods: ['GET'] },
      { name: '503 on the PATCH', answers: [json(200, sms), text(503, '')], outcome: { kind: 'transient', code: 'http-503' }, methods: ['GET', 'PATCH'] },
      { name: 'a timeout on the first read', answers: [new HttpTransportError('timeout')], outcome: { kind: 'transient', code: 'timeout' }, methods: ['GET'] },
      { name: 'a timeout on the PATCH', answers: [json(200, sms), new HttpTransportError('timeout')], outcome: { kind: 'transient', code: 'timeout' }, methods: ['GET', 'PATCH'] },
      { name: 'a timeout on the read-back', answers: [json(200, sms), OK_EMPTY, new HttpTransportError('ECONNRESET')], outcome: { kind: 'transient', code: 'ECONNRESET' }, methods: ['GET', 'PATCH', 'GET'] },
      { name: 'a first read that is not JSON', answers: [text(200, '<html>')], outcome: { kind: 'transient', code: 'unparseable-response' }, methods: ['GET'] },
      { name: 'a first read whose JSON is null', answers: [{ status: 200, headers: {}, body: 'null' }], outcome: { kind: 'transient', code: 'unparseable-response' }, methods: ['GET'] },
      { name: 'a read-back that is not JSON', answers: [json(200, sms), OK_EMPTY, text(200, '')], outcome: { kind: 'transient', code: 'unparseable-response' }, methods: ['GET', 'PATCH', 'GET'] },
      // auth
      { name: '401 on the first read', answers: [json(401, { message: 'unauthorized' })], outcome: { kind: 'auth', code: 'http-401' }, methods: ['GET'] },
      { name: '403 on the PATCH (no sms.update scope)', answers: [json(200, sms), json(403, {})], outcome: { kind: 'auth', code: 'http-403' }, methods: ['GET', 'PATCH'] },
      // rejected
      { name: '400 on the PATCH without attemptBodyUpdate', answers: [json(200, sms), json(400, { message: 'bad request', errors: [] })], outcome: { kind: 'rejected', code: 'http-400', reason: 'CarrierX refused the request (HTTP 400)' }, methods: ['GET', 'PATCH'] },
      { name: '405 on the PATCH', attemptBodyUpdate: true, answers: [json(200, sms), json(405, {})], outcome: { kind: 'rejected', code: 'http-405', reason: 'CarrierX refused the request (HTTP 405)' }, methods: ['GET', 'PATCH'] },
      { name: '400 on the first read', answers: [json(400, { message: 'bad request' })], outcome: { kind: 'rejected', code: 'http-400', reason: 'CarrierX refused the request (HTTP 400)' }, methods: ['GET'] },
    ];

    it.each(cases)('$name → $outcome.kind', async ({ answers, attemptBodyUpdate, outcome, methods }) => {
      const http = scriptedHttp((_, index) => answers[index] ?? new Error(`unexpected request ${index}`));
      const actual = await client.redact(redactionJob('carrierx', { messageId: sid }), { ...BASE_CONTEXT, attemptBodyUpdate: attemptBodyUpdate ?? false, http, deleteMedia: false });
      expect(actual).toEqual(outcome);
      expect(http.requests.map((r) => r.method)).toEqual(methods);
      for (const pii of Object.values(PII)) expect(JSON.stringify(actual)).not.toContain(pii);
    });
  });
});
