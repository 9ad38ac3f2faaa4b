import { verifiedBy } from '../support/verified-callback';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallbackRequest } from '../../functions/core/callbacks/callback-request';
import { AuthenticationError, HttpTransportError, MalformedCallbackError, SecretShapeError } from '../../functions/core/runtime/errors';
import type { HttpResponse } from '../../functions/core/runtime/http-client';
import type { Outcome } from '../../functions/core/redaction/outcome';
import { isTerminalEvent, terminalStatusesFor } from '../../functions/core/provider-rules/terminal-rules';
import { signalWireCompatCallbacks, signalWireCompatRedaction } from '../../functions/providers/signalwire-compat';
import { signTwilioForm, signTwilioJson } from '../../functions/providers/twilio-signature';
import { json, scriptedHttp } from '../support/fake-http';
import {
  NOW,
  PII,
  SIGNALWIRE_API_TOKEN,
  SIGNALWIRE_OLD_SIGNING_KEY,
  SIGNALWIRE_PROJECT_ID,
  SIGNALWIRE_SIGNING_KEY,
  SIGNALWIRE_SPACE_ORIGIN,
  basicAuthorization,
  captureError,
  redactionJob,
  signalWireCompatStatusParams,
  signalWireSecret,
  text,
  uuid,
  parseVerified,
} from '../support/provider-fixtures';

/**
 * The independent oracle: SignalWire's own Compatibility SDK. Its ESM entry exports only named
 * `RestClient`, `Twilio`, … (no default export) and its typings do not resolve through its `exports`
 * map, so it is loaded with `require`. `RestClient.validateRequest` is its public validator;
 * `getExpectedTwilioSignature` (the signer) is only exported by lib/webhooks/webhooks.js.
 */
type OracleParams = Record<string, string | string[]>;
interface SignalWireWebhooks {
  validateRequest(signingKey: string, header: string, url: string, params: OracleParams, suppressWarning?: boolean): boolean;
  getExpectedTwilioSignature(signingKey: string, url: string, params: OracleParams): string;
}
const require = createRequire(import.meta.url);
const sdkEntry = require.resolve('@signalwire/compatibility-api');
const signalwire = require('@signalwire/compatibility-api') as { RestClient: Pick<SignalWireWebhooks, 'validateRequest'> };
const webhooks = require(join(dirname(sdkEntry), '..', 'lib', 'webhooks', 'webhooks.js')) as SignalWireWebhooks;

const URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/callbacks/sw-compat-r1';
const FORM = 'application/x-www-form-urlencoded';
const BASE_CONTEXT = { terminalStatuses: terminalStatusesFor('signalwire-compat', undefined), attemptBodyUpdate: false, now: () => NOW };

/** Params as a body parser hands them to the SDK: repeated keys become arrays, in received order. */
function oracleParams(params: ReadonlyArray<readonly [string, string]>): OracleParams {
  const object: OracleParams = {};
  for (const [key, value] of params) {
    const existing = object[key];
    object[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return object;
}

/** The signature SignalWire's SDK computes for this callback. */
function oracleSignature(key: string, url: string, params: ReadonlyArray<readonly [string, string]>): string {
  return webhooks.getExpectedTwilioSignature(key, url, oracleParams(params));
}

interface CompatRequestOptions {
  readonly url?: string;
  readonly signature?: string | null;
  readonly header?: 'x-signalwire-signature' | 'x-twilio-signature';
  readonly key?: string;
  readonly headers?: Record<string, string>;
}

/** A form status callback, signed by the oracle unless told otherwise. */
function compatRequest(params: Array<[string, string]>, options: CompatRequestOptions = {}): CallbackRequest {
  const url = options.url ?? URL;
  const signature = options.signature === undefined ? oracleSignature(options.key ?? SIGNALWIRE_SIGNING_KEY, url, params) : options.signature;
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': `${FORM}; charset=utf-8`,
      ...(signature === null ? {} : { [options.header ?? 'x-signalwire-signature']: signature }),
      ...options.headers,
    },
    body: Buffer.from(new URLSearchParams(params).toString(), 'utf8'),
  };
}

function messageUrl(messageId: string, origin = SIGNALWIRE_SPACE_ORIGIN): string {
  return `${origin}/api/laml/2010-04-01/Accounts/${SIGNALWIRE_PROJECT_ID}/Messages/${messageId}`;
}

const AUTHORIZATION = basicAuthorization(SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN);
const NO_CONTENT: HttpResponse = { status: 204, headers: {}, body: '' };

/** Parses what the verifier verified, as the receiver does: parsing never sees the raw request. */
const parse = (request: CallbackRequest, route: string) => parseVerified(signalWireCompatCallbacks, signalWireSecret(), request, route);

describe('Object: signalWireCompatCallbacks', () => {
  describe('bindVerifier', () => {
    const cases: Array<{ name: string; secret: unknown; message: string; planted?: string }> = [
      {
        name: 'a projectId that is not a UUID',
        secret: signalWireSecret({ projectId: 'proj-sensitive-value' }),
        message: 'secret sec is malformed: projectId: projectId must be a UUID',
        planted: 'proj-sensitive-value',
      },
      {
        name: 'a short signingKey',
        secret: signalWireSecret({ signingKey: 'PSK_x' }),
        message: 'secret sec is malformed: signingKey: must be the project signing key (PSK_…)',
        planted: 'PSK_x',
      },
      {
        name: 'a short previousSigningKey',
        secret: signalWireSecret({ previousSigningKey: 'PSK_old' }),
        message: 'secret sec is malformed: previousSigningKey: must be the previous signing key',
        planted: 'PSK_old',
      },
      { name: 'a secret that is not an object', secret: 'PSK_plain_string_secret', message: 'secret sec is malformed: (root): expected object', planted: 'PSK_plain' },
    ];

    it.each(cases)('names the field of $name, never its value', ({ secret, message, planted }) => {
      const error = captureError(() => signalWireCompatCallbacks.bindVerifier(secret, 'sec'));
      expect(error).toBeInstanceOf(SecretShapeError);
      expect(error).toMatchObject({ message, httpStatus: 500, retryable: false });
      if (planted !== undefined) expect((error as Error).message).not.toContain(planted);
      expect((error as Error).message).not.toContain(SIGNALWIRE_API_TOKEN);
    });

    it('exposes the project id as the provider account', () => {
      expect(signalWireCompatCallbacks.bindVerifier(signalWireSecret(), 'sec').authenticate(compatRequest(signalWireCompatStatusParams())).providerAccount).toBe(SIGNALWIRE_PROJECT_ID);
    });

    it('reads only the signing fields: a signing secret without apiToken and spaceUrl verifies; the redactor checks those', () => {
      const signingSecret = { projectId: SIGNALWIRE_PROJECT_ID, signingKey: SIGNALWIRE_SIGNING_KEY };
      expect(signalWireCompatCallbacks.bindVerifier(signingSecret, 'sec').authenticate(compatRequest(signalWireCompatStatusParams()))).toMatchObject(verifiedBy('current', { MessageSid: expect.any(String) }));
      expect(captureError(() => signalWireCompatRedaction.bindClient(signalWireSecret({ apiToken: undefined }), 'sec'))).toMatchObject({
        message: 'secret sec is malformed: apiToken: expected string',
      });
      const error = captureError(() => signalWireCompatRedaction.bindClient(signalWireSecret({ spaceUrl: 'https://evil.example.com' }), 'sec'));
      expect(error).toMatchObject({ message: 'secret sec is malformed: spaceUrl: must be your space host, e.g. example.signalwire.com' });
      expect((error as Error).message).not.toContain('evil.example.com');
    });
  });

  describe('authenticate', () => {
    const verifier = signalWireCompatCallbacks.bindVerifier(signalWireSecret({ previousSigningKey: SIGNALWIRE_OLD_SIGNING_KEY }), 'sec');
    const currentOnly = signalWireCompatCallbacks.bindVerifier(signalWireSecret(), 'sec');

    it.each(['x-signalwire-signature', 'x-twilio-signature'] as const)(
      'accepts the signature the SignalWire SDK computes, sent as %s',
      (header) => {
        const params = signalWireCompatStatusParams();
        const request = compatRequest(params, { header });
        const signature = request.headers[header]!;
        // The oracle agrees with itself: its public validator accepts what its signer produced.
        expect(signalwire.RestClient.validateRequest(SIGNALWIRE_SIGNING_KEY, signature, URL, oracleParams(params))).toBe(true);
        expect(verifier.authenticate(request)).toMatchObject(verifiedBy('current', { MessageSid: expect.any(String) }));
      },
    );

    it('accepts repeated keys signed in the order SignalWire received them', () => {
      const params: Array<[string, string]> = [...signalWireCompatStatusParams(), ['MediaUrl', 'https://media.example/b'], ['MediaUrl', 'https://media.example/a']];
      const signature = oracleSignature(SIGNALWIRE_SIGNING_KEY, URL, params);
      // SignalWire keeps received order; Twilio sorts the values. The case is only meaningful if they differ.
      expect(signature).not.toBe(signTwilioForm(SIGNALWIRE_SIGNING_KEY, URL, params));
      expect(signalwire.RestClient.validateRequest(SIGNALWIRE_SIGNING_KEY, signature, URL, oracleParams(params))).toBe(true);
      expect(currentOnly.authenticate(compatRequest(params, { signature }))).toMatchObject(verifiedBy('current', { MessageSid: expect.any(String) }));
    });

    it('accepts a callback URL with a raw query string and unicode in the signed values', () => {
      const url = `${URL}?tenant=a%20b&x=1`;
      const params = signalWireCompatStatusParams({ Body: 'héllo & ünïcødé +1 = ✓' });
      expect(currentOnly.authenticate(compatRequest(params, { url }))).toMatchObject(verifiedBy('current', { MessageSid: expect.any(String) }));
    });

    it('accepts what the SDK signs over the URL with the default port, as its validator does', () => {
      const params = signalWireCompatStatusParams();
      const signature = oracleSignature(SIGNALWIRE_SIGNING_KEY, URL.replace('.com/', '.com:443/'), params);
      expect(signalwire.RestClient.validateRequest(SIGNALWIRE_SIGNING_KEY, signature, URL, oracleParams(params))).toBe(true);
      expect(currentOnly.authenticate(compatRequest(params, { signature }))).toMatchObject(verifiedBy('current', { MessageSid: expect.any(String) }));
    });

    it('matches the SDK on 100 generated callbacks', () => {
      for (let i = 0; i < 100; i++) {
        const params: Array<[string, string]> = Array.from({ length: 1 + (i % 9) }, (_, j) => [
          `K${(i * 5 + j * 11) % 13}${String.fromCharCode(97 + (j % 26))}`,
          `${i}-${j}-${'ä&=+ %✓'.slice(0, j % 7)}`,
        ]);
        const url = `${URL}?n=${i}`;
        const request = compatRequest(params, { url });
        expect(currentOnly.authenticate(request), `case ${i}`).toMatchObject(verifiedBy('current', Object.fromEntries(params.toReversed())));
      }
    });

    it('accepts the current and the previous signing key during rotation', () => {
      const params = signalWireCompatStatusParams();
      expect(verifier.authenticate(compatRequest(params, { key: SIGNALWIRE_SIGNING_KEY }))).toMatchObject(verifiedBy('current', { MessageSid: expect.any(String) }));
      expect(verifier.authenticate(compatRequest(params, { key: SIGNALWIRE_OLD_SIGNING_KEY }))).toMatchObject(verifiedBy('previous', { MessageSid: expect.any(String) }));
    });

    it('refuses the previous key once it is no longer configured, and an unrelated key always', () => {
      const params = signalWireCompatStatusParams();
      expect(captureError(() => currentOnly.authenticate(compatRequest(params, { key: SIGNALWIRE_OLD_SIGNING_KEY })))).toMatchObject({ httpStatus: 403 });
      expect(captureError(() => verifier.authenticate(compatRequest(params, { key: 'PSK_' + 'z'.repeat(28) })))).toMatchObject({ httpStatus: 403 });
    });

    it('does not take the project API token as the signing key', () => {
      const error = captureError(() => verifier.authenticate(compatRequest(signalWireCompatStatusParams(), { key: SIGNALWIRE_API_TOKEN })));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ httpStatus: 403 });
    });

    it.each([
      { name: 'no signature header', signature: null },
      { name: 'an empty signature header', signature: '' },
    ])('answers 401 for $name', ({ signature }) => {
      const error = captureError(() => verifier.authenticate(compatRequest(signalWireCompatStatusParams(), { signature })));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ httpStatus: 401, retryable: false, message: 'missing X-SignalWire-Signature header' });
    });

    it('answers 403 with a message that names no secret when the signature does not match', () => {
      const params = signalWireCompatStatusParams();
      const expected = oracleSignature(SIGNALWIRE_SIGNING_KEY, URL, params);
      const error = captureError(() => verifier.authenticate(compatRequest(params, { signature: oracleSignature('PSK_' + 'w'.repeat(28), URL, params) })));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({
        httpStatus: 403,
        message: "X-SignalWire-Signature does not match (check the account's publicUrl and signing secret)",
      });
      expect((error as Error).message).not.toContain(expected);
      expect((error as Error).message).not.toContain(SIGNALWIRE_SIGNING_KEY);
    });

    it('uses X-SignalWire-Signature when both headers are present, failing closed on a bad one', () => {
      const params = signalWireCompatStatusParams();
      const good = oracleSignature(SIGNALWIRE_SIGNING_KEY, URL, params);
      const request = compatRequest(params, { signature: good.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), headers: { 'x-twilio-signature': good } });
      expect(captureError(() => verifier.authenticate(request))).toMatchObject({ httpStatus: 403 });
    });

    describe('rejects a callback where exactly one thing changed', () => {
      const params = signalWireCompatStatusParams();
      const signed = compatRequest(params);
      const signature = signed.headers['x-signalwire-signature']!;
      const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
      const alterations: Array<{ name: string; request: CallbackRequest }> = [
        { name: 'the url host', request: { ...signed, url: URL.replace('abc123', 'abc124') } },
        { name: 'the url scheme', request: { ...signed, url: URL.replace('https:', 'http:') } },
        { name: 'the url path', request: { ...signed, url: `${URL}x` } },
        { name: 'an added query string', request: { ...signed, url: `${URL}?a=1` } },
        {
          name: 'one body byte (the status)',
          request: { ...signed, body: Buffer.from(signed.body.toString('utf8').replace('MessageStatus=delivered', 'MessageStatus=delivereD')) },
        },
        {
          name: 'one byte of the Body we never read',
          request: { ...signed, body: Buffer.from(signed.body.toString('utf8').replace('Jane', 'Jana')) },
        },
        { name: 'an added parameter', request: compatRequest([...params, ['Extra', '1']], { signature }) },
        { name: 'a removed parameter', request: compatRequest(params.filter(([k]) => k !== 'To'), { signature }) },
        { name: 'one parameter value', request: compatRequest(params.map(([k, v]) => [k, k === 'NumMedia' ? '1' : v]), { signature }) },
        { name: 'the first signature character', request: compatRequest(params, { signature: flip(signature, 0) }) },
        { name: 'the last signature character before padding', request: compatRequest(params, { signature: flip(signature, signature.length - 2) }) },
        { name: 'a truncated signature', request: compatRequest(params, { signature: signature.slice(0, -1) }) },
        { name: 'the hex encoding of the same HMAC', request: compatRequest(params, { signature: Buffer.from(signature, 'base64').toString('hex') }) },
        { name: 'the content type (not form-encoded)', request: { ...signed, headers: { ...signed.headers, 'content-type': 'text/plain' } } },
      ];
      it.each(alterations)('$name', ({ request }) => {
        const error = captureError(() => verifier.authenticate(request));
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error).toMatchObject({
          httpStatus: 403,
          message: "X-SignalWire-Signature does not match (check the account's publicUrl and signing secret)",
        });
      });
    });

    it('accepts the JSON bodySHA256 variant it shares with Twilio', () => {
      const body = JSON.stringify({ MessageSid: uuid(), MessageStatus: 'delivered', Body: PII.body });
      const signed = signTwilioJson(SIGNALWIRE_SIGNING_KEY, URL, body);
      const request: CallbackRequest = {
        method: 'POST',
        url: signed.url,
        headers: { 'content-type': 'application/json', 'x-signalwire-signature': signed.signature },
        body: Buffer.from(body),
      };
      expect(currentOnly.authenticate(request)).toMatchObject(verifiedBy('current', { MessageSid: expect.any(String) }));
    });
  });

  describe('parseCallback', () => {
    it('keeps ids and status only, never the Body, From or To the callback carries', () => {
      const messageSid = uuid();
      const params = signalWireCompatStatusParams({ MessageSid: messageSid, MessageStatus: 'undelivered', ErrorCode: '30003' });
      const event = parse(compatRequest(params), 'r1');
      expect(event).toEqual({
        provider: 'signalwire-compat',
        route: 'r1',
        messageId: messageSid,
        status: 'undelivered',
        errorCode: '30003',
      });
      const serialised = JSON.stringify(event);
      for (const pii of Object.values(PII)) expect(serialised).not.toContain(pii);
    });

    it('leaves out the account and error code when the callback has none', () => {
      const messageSid = uuid();
      const params = signalWireCompatStatusParams({ MessageSid: messageSid, ErrorCode: '' }).filter(([k]) => k !== 'AccountSid');
      expect(parse(compatRequest(params), 'r1')).toEqual({
        provider: 'signalwire-compat',
        route: 'r1',
        messageId: messageSid,
        status: 'delivered',
      });
    });

    it.each([
      { numMedia: '1', hasMedia: true },
      { numMedia: '10', hasMedia: true },
      { numMedia: '0', hasMedia: undefined },
      { numMedia: undefined, hasMedia: undefined },
    ])('marks media when NumMedia is $numMedia', ({ numMedia, hasMedia }) => {
      const params = signalWireCompatStatusParams(numMedia === undefined ? {} : { NumMedia: numMedia }).filter(([k, v]) => k !== 'NumMedia' || v === numMedia);
      const event = parse(compatRequest(params), 'r1');
      expect(event.hasMedia).toBe(hasMedia);
      expect('hasMedia' in event).toBe(hasMedia !== undefined);
    });

    it('reads the first value of a repeated key', () => {
      const params: Array<[string, string]> = [...signalWireCompatStatusParams({ MessageStatus: 'sent' }), ['MessageStatus', 'delivered']];
      expect(parse(compatRequest(params), 'r1').status).toBe('sent');
    });

    it.each([
      { name: 'a MessageSid that is not a UUID', params: signalWireCompatStatusParams({ MessageSid: 'SM0123+15005550006' }), message: 'invalid SignalWire callback: MessageSid: MessageSid must be a UUID', planted: '+15005550006' },
      { name: 'a missing MessageSid', params: signalWireCompatStatusParams().filter(([k]) => k !== 'MessageSid'), message: 'invalid SignalWire callback: MessageSid: expected string' },
      { name: 'a missing MessageStatus', params: signalWireCompatStatusParams().filter(([k]) => k !== 'MessageStatus'), message: 'invalid SignalWire callback: MessageStatus: expected string' },
      { name: 'a status that is not a lower-case word', params: signalWireCompatStatusParams({ MessageStatus: 'Delivered' }), message: 'invalid SignalWire callback: MessageStatus: must be a lower-case status word' },
      { name: 'an AccountSid that is not a UUID', params: signalWireCompatStatusParams({ AccountSid: 'AC' + '0'.repeat(32) }), message: 'invalid SignalWire callback: AccountSid: AccountSid must be a UUID' },
      { name: 'a NumMedia that is not a number', params: signalWireCompatStatusParams({ NumMedia: 'two' }), message: 'invalid SignalWire callback: NumMedia: must be a number' },
      { name: 'an ErrorCode that is a description', params: signalWireCompatStatusParams({ ErrorCode: 'Queue overflow' }), message: 'invalid SignalWire callback: ErrorCode: must be a number', planted: 'Queue overflow' },
    ])('rejects $name with 400', ({ params, message, planted }) => {
      const error = captureError(() => parse(compatRequest(params), 'r1'));
      expect(error).toBeInstanceOf(MalformedCallbackError);
      expect(error).toMatchObject({ httpStatus: 400, message });
      if (planted !== undefined) expect((error as Error).message).not.toContain(planted);
    });

    it('rejects a signed bodySHA256 callback that is not application/json with 415', () => {
      const body = JSON.stringify({ MessageSid: uuid(), MessageStatus: 'delivered' });
      const signed = signTwilioJson(SIGNALWIRE_SIGNING_KEY, URL, body);
      const request: CallbackRequest = {
        method: 'POST',
        url: signed.url,
        headers: { 'content-type': FORM, 'x-signalwire-signature': signed.signature },
        body: Buffer.from(body),
      };
      const error = captureError(() => parse(request, 'r1'));
      expect(error).toBeInstanceOf(MalformedCallbackError);
      expect(error).toMatchObject({ httpStatus: 415, message: 'callback must be application/json' });
    });
  });

  describe('terminal rules (isTerminalEvent with the default signalwire-compat set)', () => {
    const terminal = terminalStatusesFor('signalwire-compat', undefined);
    it.each([
      { status: 'sent', numMedia: '1', terminal: true, why: 'MMS never gets a delivery receipt' },
      { status: 'sent', numMedia: '0', terminal: false, why: 'SMS at sent may still move on' },
      { status: 'queued', numMedia: '1', terminal: false, why: 'in progress' },
      { status: 'queued', numMedia: '0', terminal: false, why: 'in progress' },
      { status: 'sending', numMedia: '1', terminal: false, why: 'in progress' },
      { status: 'initiated', numMedia: '1', terminal: false, why: 'in progress' },
      { status: 'delivered', numMedia: '0', terminal: true, why: 'final' },
      { status: 'undelivered', numMedia: '0', terminal: true, why: 'final' },
      { status: 'failed', numMedia: '1', terminal: true, why: 'final' },
      { status: 'received', numMedia: '0', terminal: true, why: 'final for inbound' },
    ])('$status with NumMedia=$numMedia is terminal: $terminal ($why)', ({ status, numMedia, terminal: expected }) => {
      const event = parse(compatRequest(signalWireCompatStatusParams({ MessageStatus: status, NumMedia: numMedia })), 'r1');
      expect(isTerminalEvent(event, terminal)).toBe(expected);
    });
  });
});

const MISCONFIGURED = {
  kind: 'misconfigured',
  code: 'http-404',
  reason: 'SignalWire answered 404 without its "not found" error: check the account\'s apiBaseUrl, space and credentials',
} as const;

describe('Object: signalWireCompatRedaction', () => {
  const client = signalWireCompatRedaction.bindClient(signalWireSecret(), 'sec');

  it('names the field of a malformed secret, never its value', () => {
    const error = captureError(() => signalWireCompatRedaction.bindClient(signalWireSecret({ apiToken: 'short' }), 'sec'));
    expect(error).toBeInstanceOf(SecretShapeError);
    expect(error).toMatchObject({ message: 'secret sec is malformed: apiToken: must be the project API token' });
  });

  it('sends exactly the documented redact request', async () => {
    const http = scriptedHttp(() => json(200, { sid: 'x', body: '' }));
    const target = redactionJob('signalwire-compat');
    expect(await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: false })).toEqual({ kind: 'redacted' });
    expect(http.requests).toEqual([
      {
        method: 'POST',
        url: `https://example.signalwire.com/api/laml/2010-04-01/Accounts/${SIGNALWIRE_PROJECT_ID}/Messages/${target.messageId}`,
        headers: { authorization: AUTHORIZATION, accept: 'application/json', 'content-type': FORM },
        body: 'Body=',
      },
    ]);
  });

  it.each(['https://example.signalwire.com', 'https://example.signalwire.com/', 'example.signalwire.com/'])(
    'builds the same origin from the spaceUrl %s',
    async (spaceUrl) => {
      const http = scriptedHttp(() => json(200, { body: '' }));
      const target = redactionJob('signalwire-compat');
      await signalWireCompatRedaction.bindClient(signalWireSecret({ spaceUrl }), 'sec').redact(target, { ...BASE_CONTEXT, http, deleteMedia: false });
      expect(http.requests[0]!.url).toBe(messageUrl(target.messageId));
    },
  );

  it('uses the account apiBaseUrl instead of the space', async () => {
    const http = scriptedHttp(() => json(200, { body: '' }));
    const target = redactionJob('signalwire-compat');
    await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: false, apiBaseUrl: 'http://127.0.0.1:9999/signalwire' });
    expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${messageUrl(target.messageId, 'http://127.0.0.1:9999/signalwire')}`]);
  });

  it('does not call SignalWire for an id that is not a UUID', async () => {
    const http = scriptedHttp(() => json(200, {}));
    expect(await client.redact(redactionJob('signalwire-compat', { messageId: 'SM' + 'a'.repeat(32) }), { ...BASE_CONTEXT, http, deleteMedia: false })).toEqual({
      kind: 'rejected',
      code: 'invalid-message-id',
      reason: 'message id is not a SignalWire UUID',
    });
    expect(http.requests).toHaveLength(0);
  });

  it('reads the message back with the same credentials and no body after a refusal', async () => {
    const http = scriptedHttp((_, index) => (index === 0 ? json(422, { code: 'message_in_progress' }) : json(200, { body: PII.body, status: 'queued' })));
    const target = redactionJob('signalwire-compat');
    await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: false });
    expect(http.requests[1]).toEqual({ method: 'GET', url: messageUrl(target.messageId), headers: { authorization: AUTHORIZATION, accept: 'application/json' } });
  });

  describe('classifies every answer', () => {
    const refusal = json(400, { code: 21620, message: 'Cannot update message', status: 400 });
    const cases: Array<{ name: string; answers: Array<HttpResponse | Error>; outcome: Outcome; methods: string[] }> = [
      // redacted
      { name: '200 with an empty body', answers: [json(200, { body: '' })], outcome: { kind: 'redacted' }, methods: ['POST'] },
      { name: '200 with a null body', answers: [json(200, { body: null })], outcome: { kind: 'redacted' }, methods: ['POST'] },
      // already-redacted
      {
        name: '400, then a read-back whose body is already empty',
        answers: [refusal, json(200, { body: '', status: 'delivered' })],
        outcome: { kind: 'already-redacted' },
        methods: ['POST', 'GET'],
      },
      // not-found
      { name: '404 with a code', answers: [json(404, { code: 20404, message: 'Not Found', status: 404 })], outcome: { kind: 'not-found', code: '20404' }, methods: ['POST'] },
      { name: '404 without a body (a wrong space or path)', answers: [text(404, '')], outcome: MISCONFIGURED, methods: ['POST'] },
      { name: '404 with another code', answers: [json(404, { code: '404' })], outcome: MISCONFIGURED, methods: ['POST'] },
      { name: '400, then 20404 on the read-back', answers: [refusal, json(404, { code: 20404 })], outcome: { kind: 'not-found', code: '20404' }, methods: ['POST', 'GET'] },
      // not-final
      { name: '400, then the read-back shows queued', answers: [refusal, json(200, { body: PII.body, status: 'queued' })], outcome: { kind: 'not-final', code: '21620' }, methods: ['POST', 'GET'] },
      { name: '422, then the read-back shows initiated', answers: [json(422, { code: 'message_in_progress' }), json(200, { body: PII.body, status: 'initiated' })], outcome: { kind: 'not-final', code: 'message_in_progress' }, methods: ['POST', 'GET'] },
      { name: '422 without a code, then the read-back shows sending', answers: [text(422, 'nope'), json(200, { body: PII.body, status: 'sending' })], outcome: { kind: 'not-final', code: 'http-422' }, methods: ['POST', 'GET'] },
      // throttled
      { name: '429 with Retry-After seconds', answers: [json(429, { code: 'rate_limited' }, { 'retry-after': '7' })], outcome: { kind: 'throttled', code: 'rate_limited', retryAfterSeconds: 7 }, methods: ['POST'] },
      {
        name: '429 with a Retry-After date',
        answers: [json(429, {}, { 'retry-after': new Date(NOW.getTime() + 30_000).toUTCString() })],
        outcome: { kind: 'throttled', code: 'http-429', retryAfterSeconds: 30 },
        methods: ['POST'],
      },
      { name: '429 without Retry-After', answers: [json(429, {})], outcome: { kind: 'throttled', code: 'http-429' }, methods: ['POST'] },
      { name: '400, then 429 on the read-back', answers: [refusal, json(429, {}, { 'retry-after': '3' })], outcome: { kind: 'throttled', code: 'http-429', retryAfterSeconds: 3 }, methods: ['POST', 'GET'] },
      // transient
      { name: '500', answers: [text(500, '<html>oops</html>')], outcome: { kind: 'transient', code: 'http-500' }, methods: ['POST'] },
      { name: '503 with a code', answers: [json(503, { code: 'unavailable' })], outcome: { kind: 'transient', code: 'unavailable' }, methods: ['POST'] },
      { name: '408', answers: [text(408, '')], outcome: { kind: 'transient', code: 'http-408' }, methods: ['POST'] },
      { name: 'a timeout', answers: [new HttpTransportError('timeout')], outcome: { kind: 'transient', code: 'timeout' }, methods: ['POST'] },
      { name: 'a connection reset', answers: [new HttpTransportError('ECONNRESET')], outcome: { kind: 'transient', code: 'ECONNRESET' }, methods: ['POST'] },
      { name: '200 that is not JSON', answers: [text(200, '<html>ok</html>')], outcome: { kind: 'transient', code: 'unparseable-response' }, methods: ['POST'] },
      { name: '200 whose JSON is null', answers: [{ status: 200, headers: {}, body: 'null' }], outcome: { kind: 'transient', code: 'unparseable-response' }, methods: ['POST'] },
      { name: '400, then a timeout on the read-back', answers: [refusal, new HttpTransportError('timeout')], outcome: { kind: 'transient', code: 'timeout' }, methods: ['POST', 'GET'] },
      { name: '400, then 502 on the read-back', answers: [refusal, text(502, 'bad gateway')], outcome: { kind: 'transient', code: 'http-502' }, methods: ['POST', 'GET'] },
      { name: '400, then a read-back that is not JSON', answers: [refusal, text(200, '<html>')], outcome: { kind: 'transient', code: 'unparseable-response' }, methods: ['POST', 'GET'] },
      // auth
      { name: '401', answers: [json(401, { code: 'unauthorized' })], outcome: { kind: 'auth', code: 'unauthorized' }, methods: ['POST'] },
      { name: '403', answers: [text(403, '')], outcome: { kind: 'auth', code: 'http-403' }, methods: ['POST'] },
      { name: '400, then 401 on the read-back', answers: [refusal, text(401, '')], outcome: { kind: 'auth', code: 'http-401' }, methods: ['POST', 'GET'] },
      // rejected
      {
        name: '200 with the body still there',
        answers: [json(200, { body: PII.body })],
        outcome: { kind: 'rejected', code: 'body-not-empty', reason: 'SignalWire answered 2xx but the body is not empty' },
        methods: ['POST'],
      },
      {
        name: '400, then the read-back shows a final message with its body',
        answers: [refusal, json(200, { body: PII.body, status: 'delivered' })],
        outcome: { kind: 'rejected', code: '21620', reason: 'SignalWire refused the request (HTTP 400)' },
        methods: ['POST', 'GET'],
      },
      {
        name: '422, then the read-back shows a failed message with its body',
        answers: [json(422, { code: 'invalid_parameter' }), json(200, { body: PII.body, status: 'failed' })],
        outcome: { kind: 'rejected', code: 'invalid_parameter', reason: 'SignalWire refused the request (HTTP 422)' },
        methods: ['POST', 'GET'],
      },
      { name: '405', answers: [json(405, { code: 'method_not_allowed' })], outcome: { kind: 'rejected', code: 'method_not_allowed', reason: 'SignalWire refused the request (HTTP 405)' }, methods: ['POST'] },
      { name: '409 with a code that is not a word', answers: [json(409, { code: 'a code with spaces' })], outcome: { kind: 'rejected', code: 'http-409', reason: 'SignalWire refused the request (HTTP 409)' }, methods: ['POST'] },
    ];

    it.each(cases)('$name → $outcome.kind', async ({ answers, outcome, methods }) => {
      const http = scriptedHttp((_, index) => answers[index] ?? new Error(`unexpected request ${index}`));
      const actual = await client.redact(redactionJob('signalwire-compat'), { ...BASE_CONTEXT, http, deleteMedia: false });
      expect(actual).toEqual(outcome);
      expect(http.requests.map((r) => r.method)).toEqual(methods);
      // The provider's answers carry the body; no outcome (logged, put on the DLQ) may echo it.
      for (const pii of Object.values(PII)) expect(JSON.stringify(actual)).not.toContain(pii);
    });
  });

  describe('media deletion', () => {
    it('deletes every media item of an MMS across pages when the account enables it', async () => {
      const target = redactionJob('signalwire-compat', { media: true });
      const base = messageUrl(target.messageId);
      const [me1, me2, me3] = [uuid(), uuid(), uuid()];
      const nextPage = `/api/laml/2010-04-01/Accounts/${SIGNALWIRE_PROJECT_ID}/Messages/${target.messageId}/Media?PageSize=100&Page=1&PageToken=PA1`;
      const http = scriptedHttp((request) => {
        if (request.method === 'POST') return json(200, { body: '' });
        if (request.method === 'DELETE') return NO_CONTENT;
        return request.url.includes('Page=1')
          ? json(200, { media_list: [{ sid: me3 }], next_page_uri: null })
          : json(200, { media_list: [{ sid: me1 }, { sid: 'not-a-uuid' }, { sid: me2 }], next_page_uri: nextPage });
      });
      expect(await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: true })).toEqual({ kind: 'redacted' });
      expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        `POST ${base}`,
        `GET ${base}/Media?PageSize=100`,
        `DELETE ${base}/Media/${me1}`,
        `DELETE ${base}/Media/${me2}`,
        `GET ${SIGNALWIRE_SPACE_ORIGIN}${nextPage}`,
        `DELETE ${base}/Media/${me3}`,
      ]);
      for (const request of http.requests.slice(1)) expect(request.headers).toEqual({ authorization: AUTHORIZATION, accept: 'application/json' });
    });

    it('follows next_page_uri against the account apiBaseUrl', async () => {
      const origin = 'http://127.0.0.1:9999/signalwire';
      const target = redactionJob('signalwire-compat', { media: true });
      const nextPage = `/api/laml/2010-04-01/Accounts/${SIGNALWIRE_PROJECT_ID}/Messages/${target.messageId}/Media?Page=1`;
      const http = scriptedHttp((request) => {
        if (request.method === 'POST') return json(200, { body: '' });
        return request.url.includes('Page=1') ? json(200, { media_list: [] }) : json(200, { media_list: [], next_page_uri: nextPage });
      });
      await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: true, apiBaseUrl: origin });
      expect(http.requests.map((r) => r.url)).toEqual([messageUrl(target.messageId, origin), `${messageUrl(target.messageId, origin)}/Media?PageSize=100`, `${origin}${nextPage}`]);
    });

    it.each([
      { name: 'the account does not enable deletion', deleteMedia: false, media: true },
      { name: 'the message has no media', deleteMedia: true, media: undefined },
    ])('leaves media alone when $name', async ({ deleteMedia, media }) => {
      const http = scriptedHttp(() => json(200, { body: '' }));
      expect(await client.redact(redactionJob('signalwire-compat', media === undefined ? {} : { media }), { ...BASE_CONTEXT, http, deleteMedia })).toEqual({ kind: 'redacted' });
      expect(http.requests.map((r) => r.method)).toEqual(['POST']);
    });

    it('does not touch media when the body was not redacted', async () => {
      const http = scriptedHttp(() => json(404, { code: 20404 }));
      expect(await client.redact(redactionJob('signalwire-compat', { media: true }), { ...BASE_CONTEXT, http, deleteMedia: true })).toEqual({ kind: 'not-found', code: '20404' });
      expect(http.requests).toHaveLength(1);
    });

    /** POST refused, read-back shows the body already empty, then one media item to delete. */
    function alreadyRedactedWithMedia(mediaSid: string) {
      return scriptedHttp((request, index) => {
        if (index === 0) return json(400, { code: 21620 });
        if (index === 1) return json(200, { body: '', status: 'delivered' });
        if (request.method === 'DELETE') return NO_CONTENT;
        return json(200, { media_list: [{ sid: mediaSid }], next_page_uri: null });
      });
    }

    it('also deletes media when the body turns out to be already redacted', async () => {
      // A retry after a failed media deletion (or a body redacted elsewhere) must still remove media.
      const target = redactionJob('signalwire-compat', { media: true });
      const me1 = uuid();
      const http = alreadyRedactedWithMedia(me1);
      await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: true });
      expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        `POST ${messageUrl(target.messageId)}`,
        `GET ${messageUrl(target.messageId)}`,
        `GET ${messageUrl(target.messageId)}/Media?PageSize=100`,
        `DELETE ${messageUrl(target.messageId)}/Media/${me1}`,
      ]);
    });

    it('still reports already-redacted after deleting the media of an already-redacted message', async () => {
      const http = alreadyRedactedWithMedia(uuid());
      expect(await client.redact(redactionJob('signalwire-compat', { media: true }), { ...BASE_CONTEXT, http, deleteMedia: true })).toEqual({ kind: 'already-redacted' });
    });

    const mediaCases: Array<{ name: string; answer: (request: { method: string }) => HttpResponse | Error; outcome: Outcome }> = [
      { name: 'an empty media list', answer: () => json(200, { media_list: [], next_page_uri: null }), outcome: { kind: 'redacted' } },
      { name: 'a media list that is gone (404)', answer: () => json(404, {}), outcome: { kind: 'redacted' } },
      { name: 'a media item already deleted (404)', answer: (r) => (r.method === 'DELETE' ? json(404, {}) : json(200, { media_list: [{ sid: uuid() }] })), outcome: { kind: 'redacted' } },
      { name: 'a media list that fails (503)', answer: () => json(503, {}), outcome: { kind: 'transient', code: 'http-503' } },
      { name: 'a media list that times out', answer: () => new HttpTransportError('timeout'), outcome: { kind: 'transient', code: 'timeout' } },
      { name: 'a media list that is not JSON', answer: () => text(200, '<html>'), outcome: { kind: 'transient', code: 'unparseable-response' } },
      { name: 'a media delete refused while in progress (400)', answer: (r) => (r.method === 'DELETE' ? json(400, { code: 'in_progress' }) : json(200, { media_list: [{ sid: uuid() }] })), outcome: { kind: 'rejected', code: 'in_progress', reason: 'SignalWire refused the request (HTTP 400)' } },
      { name: 'a media delete throttled', answer: (r) => (r.method === 'DELETE' ? json(429, {}, { 'retry-after': '2' }) : json(200, { media_list: [{ sid: uuid() }] })), outcome: { kind: 'throttled', code: 'http-429', retryAfterSeconds: 2 } },
    ];
    it.each(mediaCases)('reports $name after the body was redacted', async ({ answer, outcome }) => {
      const http = scriptedHttp((request, index) => (index === 0 ? json(200, { body: '' }) : answer(request)));
      expect(await client.redact(redactionJob('signalwire-compat', { media: true }), { ...BASE_CONTEXT, http, deleteMedia: true })).toEqual(outcome);
    });
  });
});
