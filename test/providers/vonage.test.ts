import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallbackRequest } from '../../functions/core/callbacks/callback-request';
import { AuthenticationError, HttpTransportError, MalformedCallbackError, SecretShapeError } from '../../functions/core/runtime/errors';
import type { HttpResponse } from '../../functions/core/runtime/http-client';
import type { Outcome } from '../../functions/core/redaction/outcome';
import { PROVIDER_CAPABILITIES } from '../../functions/core/provider-rules/provider-capabilities';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { DEFAULT_TERMINAL_STATUSES, KNOWN_STATUSES } from '../../functions/core/provider-rules/terminal-rules';
import type { ListPageQuery } from '../../functions/providers/provider';
import { createVonageMessagesCallbacks, signVonageMessagesJwt, vonageMessagesListing, vonageMessagesRedaction } from '../../functions/providers/vonage-messages';
import { VONAGE_SIGNATURE_METHODS, type VonageSignatureMethod } from '../../functions/providers/vonage-secret';
import { createVonageSmsCallbacks, signVonageSms, vonageSmsListing, vonageSmsRedaction } from '../../functions/providers/vonage-sms';
import { json, scriptedHttp } from '../support/fake-http';
import { NOW, PII, captureError, text, formCallbackRequest } from '../support/provider-fixtures';

const API_KEY = 'abcd1234';
const API_SECRET = 'vonageApiSecret9';
const SIGNATURE_SECRET = 'vonageSignatureSecret0123';
const OLD_SIGNATURE_SECRET = 'vonageOldSignatureSecret01';
const NOW_SECONDS = NOW.getTime() / 1000;
const CALLBACK_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/callbacks/vonage-r1';
const SMS_ID = '0C0000002EEBDA56';
const MESSAGE_UUID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const BASE = 'https://api.vonage.example.test';

function vonageSecret(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiKey: API_KEY, apiSecret: API_SECRET, signatureSecret: SIGNATURE_SECRET, ...overrides };
}

const sms = createVonageSmsCallbacks({ now: () => NOW });
const messages = createVonageMessagesCallbacks({ now: () => NOW });
/** The fixed vectors were signed at 2025-11-25T16:59:40Z (unix 1764089980): checked 20 s later. */
const VECTOR_NOW = new Date('2025-11-25T17:00:00Z');

// -----------------------------------------------------------------------------------------------
// SMS API delivery receipts
// -----------------------------------------------------------------------------------------------

/** A delivery receipt with the PII Vonage really sends (`msisdn`, `to`). */
function receipt(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'api-key': API_KEY,
    messageId: SMS_ID,
    msisdn: PII.to.slice(1),
    to: PII.from.slice(1),
    'network-code': '23410',
    price: '0.03330000',
    status: 'delivered',
    scts: '2611251659',
    'err-code': '0',
    'message-timestamp': '2026-11-25 16:59:40',
    timestamp: String(NOW_SECONDS - 20),
    nonce: 'a=b&c',
    ...overrides,
  };
}

/**
 * The `sig` computed here straight from Vonage's documented manual method ("sort the parameters,
 * `&key=value`, replace `&` and `=` in values with `_`; MD5 of that plus the secret, or its HMAC"),
 * not with the adapter's signVonageSms.
 */
function handSig(params: Record<string, string>, secret: string, method: VonageSignatureMethod): string {
  const base = Object.keys(params).sort().map((key) => `&${key}=${params[key]!.replace(/&/g, '_').replace(/=/g, '_')}`).join('');
  if (method === 'md5hash') return createHash('md5').update(base + secret).digest('hex');
  return createHmac({ md5hmac: 'md5', sha1hmac: 'sha1', sha256hmac: 'sha256', sha512hmac: 'sha512' }[method], secret).update(base).digest('hex');
}

function formRequest(params: Record<string, string>, url = CALLBACK_URL): CallbackRequest {
  return formCallbackRequest(url, params);
}

function signedReceipt(overrides: Record<string, string> = {}, options: { secret?: string; method?: VonageSignatureMethod } = {}): Record<string, string> {
  const params = receipt(overrides);
  return { ...params, sig: handSig(params, options.secret ?? SIGNATURE_SECRET, options.method ?? 'md5hash') };
}

/*
 * Fixed vectors, computed once outside this codebase (Python 3 hashlib/hmac) for receipt() with
 * timestamp 1764089980 (2025-11-25T16:59:40Z) and the secret above; the signed string is
 * &api-key=abcd1234&err-code=0&message-timestamp=2026-11-25 16:59:40&messageId=0C0000002EEBDA56&msisdn=447700900000
 * &network-code=23410&nonce=a_b_c&price=0.03330000&scts=2611251659&status=delivered&timestamp=1764089980&to=Acme
 */
const SMS_VECTOR = {
  params: { ...receipt({ msisdn: '447700900000', to: 'Acme', timestamp: '1764089980' }) },
  md5hash: '9aec5bf8326bddaf5e9ecc1b68360bf6',
  sha256hmac: '1a1850145cd5222cbe7cfa421fd98e468cb5f0493147418a65e99462d544aefd',
} as const;

function verifySms(request: CallbackRequest, secret = vonageSecret()) {
  return sms.bindVerifier(secret, 'sec').authenticate(request);
}

describe('Object: vonageSmsCallbacks', () => {
  it('accepts the fixed vectors (md5hash, sha256hmac), in either hex case', () => {
    for (const method of ['md5hash', 'sha256hmac'] as const) {
      const verifier = createVonageSmsCallbacks({ now: () => VECTOR_NOW }).bindVerifier(vonageSecret({ signatureMethod: method }), 'sec');
      for (const sig of [SMS_VECTOR[method], SMS_VECTOR[method].toUpperCase()]) {
        expect(verifier.authenticate(formRequest({ ...SMS_VECTOR.params, sig })).providerAccount).toBe(API_KEY);
      }
    }
    expect(signVonageSms(SMS_VECTOR.params, SIGNATURE_SECRET, 'md5hash')).toBe(SMS_VECTOR.md5hash);
    expect(signVonageSms(SMS_VECTOR.params, SIGNATURE_SECRET, 'sha256hmac')).toBe(SMS_VECTOR.sha256hmac);
  });

  it.each(VONAGE_SIGNATURE_METHODS)('verifies %s and reads only id, status and error code', (method) => {
    const verified = verifySms(formRequest(signedReceipt({ status: 'failed', 'err-code': '6' }, { method })), vonageSecret({ signatureMethod: method }));
    const event = sms.parseCallback(verified, 'vonage-r1');
    expect(event).toEqual({ provider: 'vonage-sms', route: 'vonage-r1', messageId: SMS_ID, status: 'failed', errorCode: '6' });
    expect(JSON.stringify(event)).not.toContain(PII.to.slice(1));
    expect(verified.fields).not.toHaveProperty('sig');
  });

  it('verifies a POST-JSON receipt (the dashboard\'s JSON webhook method)', () => {
    const request: CallbackRequest = { method: 'POST', url: CALLBACK_URL, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(signedReceipt())) };
    expect(sms.parseCallback(verifySms(request), 'r')).toEqual({ provider: 'vonage-sms', route: 'r', messageId: SMS_ID, status: 'delivered' });
  });

  it('accepts the previous signature secret during rotation, and nothing else', () => {
    const rotating = vonageSecret({ signatureSecret: 'vonageNewSignatureSecret9', previousSignatureSecret: OLD_SIGNATURE_SECRET });
    expect(verifySms(formRequest(signedReceipt({}, { secret: OLD_SIGNATURE_SECRET })), rotating).providerAccount).toBe(API_KEY);
    expect(captureError(() => verifySms(formRequest(signedReceipt({}, { secret: 'someOtherSecret000000' })), rotating))).toEqual(
      new AuthenticationError("sig does not match (check the account's signature secret and signatureMethod)"),
    );
  });

  it.each([
    { name: 'a field changed after signing', request: () => formRequest({ ...signedReceipt(), status: 'expired' }), error: new AuthenticationError("sig does not match (check the account's signature secret and signatureMethod)"), status: 403 },
    { name: 'another signature method', request: () => formRequest(signedReceipt({}, { method: 'sha1hmac' })), error: new AuthenticationError("sig does not match (check the account's signature secret and signatureMethod)"), status: 403 },
    { name: 'no sig (signed webhooks off)', request: () => formRequest(receipt()), error: new AuthenticationError('missing sig parameter (enable signed webhooks for the account)', 401), status: 401 },
    { name: 'a replayed receipt (timestamp 301 s old)', request: () => formRequest(signedReceipt({ timestamp: String(NOW_SECONDS - 301) })), error: new AuthenticationError('timestamp is more than 300 s from now (replayed or delayed receipt)'), status: 403 },
    { name: 'a timestamp 301 s in the future', request: () => formRequest(signedReceipt({ timestamp: String(NOW_SECONDS + 301) })), error: new AuthenticationError('timestamp is more than 300 s from now (replayed or delayed receipt)'), status: 403 },
    { name: 'a signed receipt without timestamp', request: () => { const { timestamp: _t, ...rest } = receipt(); return formRequest({ ...rest, sig: handSig(rest, SIGNATURE_SECRET, 'md5hash') }); }, error: new AuthenticationError('signed delivery receipt has no unix timestamp'), status: 403 },
    { name: 'another account\'s api-key', request: () => formRequest(signedReceipt({ 'api-key': 'zzzz9999' })), error: new AuthenticationError('callback is for a different provider account than this route'), status: 403 },
  ])('refuses $name', ({ request, error, status }) => {
    const refused = captureError(() => verifySms(request())) as AuthenticationError;
    expect(refused).toEqual(error);
    expect(refused.httpStatus).toBe(status);
  });

  it('accepts a timestamp exactly 300 s old (the window is inclusive)', () => {
    expect(verifySms(formRequest(signedReceipt({ timestamp: String(NOW_SECONDS - 300) }))).providerAccount).toBe(API_KEY);
  });

  it('refuses a repeated parameter and another media type before checking anything', () => {
    const params = signedReceipt();
    const repeated: CallbackRequest = { ...formRequest(params), body: Buffer.from(`${new URLSearchParams(params).toString()}&status=expired`) };
    expect(captureError(() => verifySms(repeated))).toEqual(new MalformedCallbackError('delivery receipt repeats a parameter'));
    const xml: CallbackRequest = { ...formRequest(params), headers: { 'content-type': 'text/xml' } };
    expect(captureError(() => verifySms(xml))).toEqual(new MalformedCallbackError('callback must be application/x-www-form-urlencoded or application/json', 415));
  });

  it('reports a verified receipt without messageId as malformed, naming the key', () => {
    const { messageId: _m, ...rest } = receipt();
    const verified = verifySms(formRequest({ ...rest, sig: handSig(rest, SIGNATURE_SECRET, 'md5hash') }));
    expect(captureError(() => sms.parseCallback(verified, 'r'))).toEqual(new MalformedCallbackError('invalid Vonage delivery receipt: messageId: expected string'));
  });

  it.each([
    { secret: { apiKey: API_KEY }, message: 'secret sec is malformed: signatureSecret: expected string' },
    { secret: { apiKey: 'my-key-is-sensitive', signatureSecret: SIGNATURE_SECRET }, message: 'secret sec is malformed: apiKey: must be the 8-character Vonage API key' },
    { secret: { apiKey: API_KEY, signatureSecret: SIGNATURE_SECRET, signatureMethod: 'sha3' }, message: 'secret sec is malformed: signatureMethod: expected one of "md5hash", "md5hmac", "sha1hmac", "sha256hmac", "sha512hmac"' },
    { secret: { apiKey: API_KEY, signatureSecret: SIGNATURE_SECRET, previousSignatureSecret: SIGNATURE_SECRET }, message: 'secret sec is malformed: previousSignatureSecret must differ from signatureSecret' },
  ])('refuses a signing secret that is wrong: $message', ({ secret, message }) => {
    const error = captureError(() => sms.bindVerifier(secret, 'sec'));
    expect(error).toEqual(new SecretShapeError('sec', message.replace('secret sec is malformed: ', '')));
    expect((error as Error).message).not.toContain('sensitive');
    expect((error as Error).message).not.toContain(SIGNATURE_SECRET);
  });

  it('binds a signing-only secret (no API secret) for the receiver', () => {
    const signingOnly = { apiKey: API_KEY, signatureSecret: SIGNATURE_SECRET };
    expect(sms.bindVerifier(signingOnly, 'sig').authenticate(formRequest(signedReceipt())).providerAccount).toBe(API_KEY);
  });
});

// -----------------------------------------------------------------------------------------------
// Messages API status webhooks
// -----------------------------------------------------------------------------------------------

/*
 * A fixed vector, computed once outside this codebase (Python 3 hmac/hashlib/base64) for this body
 * and the secret above: HS256 JWT with payload_hash = hex SHA-256 of the body, iat 1764089980.
 */
const JWT_VECTOR = {
  body: '{"message_uuid":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","to":"447700900000","from":"Acme","timestamp":"2026-11-25T16:59:40Z","status":"delivered","channel":"sms"}',
  token:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3NjQwODk5ODAsImp0aSI6ImMxYTlhN2M0LTFiNWUtNGQ3ZS05ZjBhLTJkM2M0YjVhNjk3OCIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6ImUwYzI5M2IzNjYyZGFiYzgyYzQ1NDdlOTY0MWZhZWU3MjFhYTJkNmIwYzFmNmVkNmQ5YzE0NTM3OTZhOTUwNDgiLCJhcGlfa2V5IjoiYWJjZDEyMzQiLCJhcHBsaWNhdGlvbl9pZCI6ImFhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMSJ9.Ge7KT1KCK3R8Gai17-imBjhSvWV_2SfhbpevN8ajqqo',
} as const;

function statusBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ message_uuid: MESSAGE_UUID, to: PII.to.slice(1), from: PII.from.slice(1), timestamp: '2026-11-25T16:59:40Z', status: 'delivered', channel: 'sms', ...overrides });
}

function jwtRequest(body: string, authorization: string | undefined): CallbackRequest {
  return { method: 'POST', url: CALLBACK_URL, headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) }, body: Buffer.from(body, 'utf8') };
}

function signedStatus(body = statusBody(), options: { secret?: string; iat?: number; apiKey?: string } = {}): CallbackRequest {
  const token = signVonageMessagesJwt(options.secret ?? SIGNATURE_SECRET, body, { apiKey: options.apiKey ?? API_KEY, iat: options.iat ?? NOW_SECONDS - 20 });
  return jwtRequest(body, `Bearer ${token}`);
}

/** A token with these header and claims, HS256-signed by hand. */
function handToken(header: Record<string, unknown>, claims: Record<string, unknown>, secret = SIGNATURE_SECRET): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function verifyStatus(request: CallbackRequest, secret = vonageSecret()) {
  return messages.bindVerifier(secret, 'sec').authenticate(request);
}

describe('Object: vonageMessagesCallbacks', () => {
  it('accepts the fixed vector and reads only id, status and channel', () => {
    const verified = createVonageMessagesCallbacks({ now: () => VECTOR_NOW }).bindVerifier(vonageSecret(), 'sec').authenticate(jwtRequest(JWT_VECTOR.body, `Bearer ${JWT_VECTOR.token}`));
    expect(verified.providerAccount).toBe(API_KEY);
    expect(messages.parseCallback(verified, 'vm')).toEqual({ provider: 'vonage-messages', route: 'vm', messageId: MESSAGE_UUID, status: 'delivered' });
  });

  it('reads the error code of a rejected message and marks MMS as media', () => {
    const body = statusBody({ status: 'rejected', channel: 'mms', error: { type: 'https://developer.vonage.com/api-errors/messages#1320', title: '1320', detail: 'x' } });
    expect(messages.parseCallback(verifyStatus(signedStatus(body)), 'vm')).toEqual({ provider: 'vonage-messages', route: 'vm', messageId: MESSAGE_UUID, status: 'rejected', errorCode: '1320', hasMedia: true });
  });

  it('accepts the previous signature secret during rotation', () => {
    const rotating = vonageSecret({ signatureSecret: 'vonageNewSignatureSecret9', previousSignatureSecret: OLD_SIGNATURE_SECRET });
    expect(verifyStatus(signedStatus(statusBody(), { secret: OLD_SIGNATURE_SECRET }), rotating).providerAccount).toBe(API_KEY);
  });

  const hash = (body: string) => createHash('sha256').update(body).digest('hex');
  it.each([
    { name: 'no Authorization header', request: () => jwtRequest(statusBody(), undefined), error: new AuthenticationError('missing Authorization header (Messages API signed webhook)', 401) },
    { name: 'a Basic header', request: () => jwtRequest(statusBody(), 'Basic YTpi'), error: new AuthenticationError('Authorization is not a Bearer JWT') },
    { name: 'alg none', request: () => { const b = statusBody(); const t = handToken({ alg: 'none' }, { iat: NOW_SECONDS, payload_hash: hash(b) }); return jwtRequest(b, `Bearer ${t}`); }, error: new AuthenticationError('JWT must be signed with HS256') },
    { name: 'another secret', request: () => signedStatus(statusBody(), { secret: 'someOtherSecret000000' }), error: new AuthenticationError("JWT signature does not match (check the account's signature secret)") },
    { name: 'a body changed after signing', request: () => ({ ...signedStatus(), body: Buffer.from(statusBody({ status: 'read' })) }), error: new AuthenticationError('payload_hash does not match the body (tampered, or not the raw body)') },
    { name: 'a replayed token (iat 301 s old)', request: () => signedStatus(statusBody(), { iat: NOW_SECONDS - 301 }), error: new AuthenticationError('JWT was issued more than 300 s ago (replayed or delayed webhook)') },
    { name: 'an iat 61 s in the future', request: () => signedStatus(statusBody(), { iat: NOW_SECONDS + 61 }), error: new AuthenticationError('JWT iat is in the future') },
    { name: 'an expired exp', request: () => { const b = statusBody(); return jwtRequest(b, `Bearer ${handToken({ alg: 'HS256' }, { iat: NOW_SECONDS - 10, exp: NOW_SECONDS - 1, payload_hash: hash(b) })}`); }, error: new AuthenticationError('JWT has expired') },
    { name: 'no iat', request: () => { const b = statusBody(); return jwtRequest(b, `Bearer ${handToken({ alg: 'HS256' }, { payload_hash: hash(b) })}`); }, error: new AuthenticationError('JWT has no iat claim') },
    { name: 'no payload_hash', request: () => jwtRequest(statusBody(), `Bearer ${handToken({ alg: 'HS256' }, { iat: NOW_SECONDS })}`), error: new AuthenticationError('JWT has no payload_hash claim') },
    { name: "another account's api_key", request: () => signedStatus(statusBody(), { apiKey: 'zzzz9999' }), error: new AuthenticationError('callback is for a different provider account than this route') },
  ])('refuses $name', ({ request, error }) => {
    const refused = captureError(() => verifyStatus(request())) as AuthenticationError;
    expect(refused).toEqual(error);
    expect(refused.httpStatus).toBe(error.httpStatus);
    expect(refused.message).not.toContain(SIGNATURE_SECRET);
  });

  it('reports a verified status without message_uuid as malformed, naming the key', () => {
    const verified = verifyStatus(signedStatus(JSON.stringify({ status: 'delivered' })));
    expect(captureError(() => messages.parseCallback(verified, 'vm'))).toEqual(new MalformedCallbackError('invalid Vonage message status: message_uuid: expected string'));
  });
});

// -----------------------------------------------------------------------------------------------
// Redact API
// -----------------------------------------------------------------------------------------------

/** A job as the receiver builds it (the Vonage names are staged, not yet in the job schema's enum). */
function job(messageId: string): RedactionJob {
  return { v: 1, provider: 'vonage-sms', route: 'vonage-r1', messageId, status: 'delivered', receivedAt: NOW.toISOString() } as unknown as RedactionJob;
}

const context = (http: ReturnType<typeof scriptedHttp>) => ({ http, apiBaseUrl: BASE, deleteMedia: false, terminalStatuses: new Set(['delivered']), attemptBodyUpdate: false, now: () => NOW });
const problem = (status: number, code: string, headers: Record<string, string> = {}): HttpResponse =>
  json(status, { type: `https://developer.nexmo.com/api-errors/redact#${code}`, title: 'x', detail: `detail ${PII.body}`, instance: 'trace' }, headers);

describe('Function: Vonage redaction (Redact API)', () => {
  it.each([
    { product: 'sms', adapter: vonageSmsRedaction, id: SMS_ID },
    { product: 'messages', adapter: vonageMessagesRedaction, id: MESSAGE_UUID },
  ])('POSTs { id, product: $product, type: outbound } with Basic auth and reports 204 as redacted', async ({ product, adapter, id }) => {
    const http = scriptedHttp(() => text(204, ''));
    expect(await adapter.bindClient(vonageSecret(), 'sec').redact(job(id), context(http))).toEqual({ kind: 'redacted' });
    expect(http.requests).toEqual([{
      method: 'POST',
      url: `${BASE}/v1/redact/transaction`,
      headers: { authorization: `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ id, product, type: 'outbound' }),
    }]);
  });

  it.each<[string, HttpResponse | Error, Outcome]>([
    ['403 premature-redaction (within the first hour)', problem(403, 'premature-redaction'), { kind: 'not-final', code: 'premature-redaction' }],
    ['403 unprovisioned', json(403, { type: 'https://developer.nexmo.com/api-errors#unprovisioned', title: 'Authorisation error' }), { kind: 'auth', code: 'unprovisioned' }],
    ['401 unauthorized', json(401, { type: 'https://developer.nexmo.com/api-errors#unauthorized', title: 'Unauthorized' }), { kind: 'auth', code: 'unauthorized' }],
    ['404 invalid-id (no such record)', problem(404, 'invalid-id'), { kind: 'not-found', code: 'invalid-id' }],
    ['404 without Vonage\'s error (wrong base URL)', text(404, '<html>not here</html>'), { kind: 'misconfigured', code: 'http-404', reason: 'Vonage answered 404 without its "not found" error: check the account\'s apiBaseUrl, space and credentials' }],
    ['429 rate-limit with Retry-After', problem(429, 'rate-limit', { 'retry-after': '7' }), { kind: 'throttled', code: 'rate-limit', retryAfterSeconds: 7 }],
    ['429 without Retry-After', problem(429, 'rate-limit'), { kind: 'throttled', code: 'rate-limit' }],
    ['500', text(500, 'oops'), { kind: 'transient', code: 'http-500' }],
    ['503', problem(503, 'service-unavailable'), { kind: 'transient', code: 'service-unavailable' }],
    ['422 invalid-product', problem(422, 'invalid-product'), { kind: 'rejected', code: 'invalid-product', reason: 'Vonage refused the request (HTTP 422)' }],
    ['400 invalid-params', problem(400, 'invalid-params'), { kind: 'rejected', code: 'invalid-params', reason: 'Vonage refused the request (HTTP 400)' }],
    ['a connection reset', new HttpTransportError('ECONNRESET'), { kind: 'transient', code: 'ECONNRESET' }],
  ])('classifies %s', async (_name, answer, expected) => {
    const outcome = await vonageSmsRedaction.bindClient(vonageSecret(), 'sec').redact(job(SMS_ID), context(scriptedHttp(() => answer)));
    expect(outcome).toEqual(expected);
    expect(JSON.stringify(outcome)).not.toContain(PII.body);
  });

  it('refuses an id that is not in the API\'s format before any request', async () => {
    const http = scriptedHttp(() => text(204, ''));
    expect(await vonageMessagesRedaction.bindClient(vonageSecret(), 'sec').redact(job(SMS_ID), context(http))).toEqual({ kind: 'rejected', code: 'invalid-message-id', reason: 'message id is not a Vonage message UUID' });
    expect(http.requests).toEqual([]);
  });

  it('needs the API secret: a signing-only secret cannot redact', () => {
    expect(captureError(() => vonageSmsRedaction.bindClient({ apiKey: API_KEY, signatureSecret: SIGNATURE_SECRET }, 'sec'))).toEqual(new SecretShapeError('sec', 'apiSecret: expected string'));
  });
});

// -----------------------------------------------------------------------------------------------
// Reports API
// -----------------------------------------------------------------------------------------------

const window = (overrides: Partial<ListPageQuery> = {}): ListPageQuery => ({ from: new Date('2026-11-24T12:00:00Z'), to: new Date('2026-11-25T06:00:00Z'), pageSize: 1000, ...overrides });
const listContext = (http: ReturnType<typeof scriptedHttp>) => ({ http, apiBaseUrl: BASE, now: () => NOW });
const record = (id: string, overrides: Record<string, unknown> = {}) => ({
  account_id: API_KEY, message_id: id, direction: 'outbound', from: PII.from, to: PII.to, status: 'delivered',
  date_received: '2026-11-24T13:00:00+0000', date_finalized: '2026-11-24T13:00:05+0000', message_body: PII.body, ...overrides,
});

describe('Function: Vonage listing (Reports API)', () => {
  it('asks for one slice of outbound records with bodies and reports each body held or gone, dropping the text', async () => {
    const [held, gone, late] = ['0A00000000000001', '0A00000000000002', '0A00000000000003'];
    const http = scriptedHttp(() => json(200, {
      request_status: 'SUCCESS',
      records: [record(held), record(gone, { message_body: 'REDACTED', status: 'EXPIRED' }), record(late, { date_received: '2026-11-25T07:00:00+0000' })],
      _links: { next: { href: `${BASE}/v2/reports/records?account_id=${API_KEY}&product=SMS&cursor=c2` } },
    }));
    const page = await vonageSmsListing.bindLister(vonageSecret(), 'sec').listPage(window(), listContext(http));
    const asked = new URL(http.requests[0]!.url);
    expect(`${asked.origin}${asked.pathname}`).toBe(`${BASE}/v2/reports/records`);
    expect(Object.fromEntries(asked.searchParams)).toEqual({
      account_id: API_KEY, product: 'SMS', direction: 'outbound', date_start: '2026-11-24T12:00:00.000Z', date_end: '2026-11-25T06:00:00.000Z', include_message: 'true',
    });
    expect(page).toEqual({
      ok: true,
      messages: [
        { id: held, status: 'delivered', createdAt: new Date('2026-11-24T13:00:00Z'), updatedAt: new Date('2026-11-24T13:00:05Z'), hasBody: true, mediaCount: 0, inbound: false },
        { id: gone, status: 'expired', createdAt: new Date('2026-11-24T13:00:00Z'), updatedAt: new Date('2026-11-24T13:00:05Z'), hasBody: false, mediaCount: 0, inbound: false },
      ],
      nextCursor: `${BASE}/v2/reports/records?account_id=${API_KEY}&product=SMS&cursor=c2`,
    });
    expect(JSON.stringify(page)).not.toContain(PII.body);
    expect(JSON.stringify(page)).not.toContain(PII.to);
  });

  it('reads a window longer than the 24 h synchronous limit a day at a time', async () => {
    const http = scriptedHttp(() => json(200, { request_status: 'SUCCESS', records: [] }));
    const lister = vonageMessagesListing.bindLister(vonageSecret(), 'sec');
    const long = window({ from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T12:00:00Z') });
    const first = await lister.listPage(long, listContext(http));
    expect(new URL(http.requests[0]!.url).searchParams.get('date_end')).toBe('2026-11-21T00:00:00.000Z');
    expect(new URL(http.requests[0]!.url).searchParams.get('product')).toBe('MESSAGES');
    expect(first).toEqual({ ok: true, messages: [], nextCursor: expect.stringMatching(/^\/v2\/reports\/records\?/) });
    const second = await lister.listPage({ ...long, cursor: (first as { nextCursor: string }).nextCursor }, listContext(http));
    const asked = new URL(http.requests[1]!.url);
    expect([asked.searchParams.get('date_start'), asked.searchParams.get('date_end')]).toEqual(['2026-11-21T00:00:00.000Z', '2026-11-21T12:00:00.000Z']);
    expect(second).toEqual({ ok: true, messages: [] });
  });

  it.each<[string, HttpResponse, unknown]>([
    ['401', json(401, { type: 'https://developer.nexmo.com/api-errors#unauthorized' }), { ok: false, outcome: { kind: 'auth', code: 'unauthorized' } }],
    ['429', json(429, { type: 'https://developer.nexmo.com/api-errors#rate-limit' }, { 'retry-after': '3' }), { ok: false, outcome: { kind: 'throttled', code: 'rate-limit', retryAfterSeconds: 3 } }],
    ['a page without records', json(200, { request_status: 'SUCCESS' }), { ok: false, outcome: { kind: 'transient', code: 'unparseable-list-page' } }],
    ['a record without message_id', json(200, { records: [record('x', { message_id: undefined })] }), { ok: false, outcome: { kind: 'transient', code: 'unparseable-list-page' } }],
    ['a FAILED request', json(200, { request_status: 'FAILED', records: [] }), { ok: false, outcome: { kind: 'transient', code: 'reports-failed' } }],
  ])('classifies %s without success', async (_name, answer, expected) => {
    expect(await vonageSmsListing.bindLister(vonageSecret(), 'sec').listPage(window(), listContext(scriptedHttp(() => answer)))).toEqual(expected);
  });

  it('reads one record again by id (a coverage run re-checks what was not final), and says when there is none', async () => {
    const id = '0A00000000000009';
    const http = scriptedHttp((request) =>
      new URL(request.url).searchParams.get('id') === id
        ? json(200, { request_status: 'SUCCESS', records: [record(id, { status: 'DELIVERED' })] })
        : json(200, { request_status: 'SUCCESS', ids_not_found: '0A0000000000000A', records: [] }),
    );
    const lister = vonageSmsListing.bindLister(vonageSecret(), 'sec');
    expect(await lister.fetchMessage!(id, listContext(http))).toEqual({
      ok: true,
      message: { id, status: 'delivered', createdAt: new Date('2026-11-24T13:00:00Z'), updatedAt: new Date('2026-11-24T13:00:05Z'), hasBody: true, mediaCount: 0, inbound: false },
    });
    expect(Object.fromEntries(new URL(http.requests[0]!.url).searchParams)).toEqual({ account_id: API_KEY, product: 'SMS', direction: 'outbound', id, include_message: 'true' });
    expect(await lister.fetchMessage!('0A0000000000000A', listContext(http))).toEqual({ ok: true });
    expect(await lister.fetchMessage!('not-an-id', listContext(http))).toEqual({
      ok: false, outcome: { kind: 'rejected', code: 'invalid-message-id', reason: "message id is not in the Vonage API's id format" },
    });
    expect(http.requests).toHaveLength(2);
    const refused = await lister.fetchMessage!(id, listContext(scriptedHttp(() => json(401, { type: 'https://developer.nexmo.com/api-errors#unauthorized' }))));
    expect(refused).toEqual({ ok: false, outcome: { kind: 'auth', code: 'unauthorized' } });
  });

  it('refuses a cursor that leaves the records resource, before any request', async () => {
    const http = scriptedHttp(() => json(200, { records: [] }));
    expect(await vonageSmsListing.bindLister(vonageSecret(), 'sec').listPage(window({ cursor: 'https://evil.example/v2/reports/records?x=1' }), listContext(http))).toEqual({
      ok: false, outcome: { kind: 'rejected', code: 'foreign-cursor', reason: 'next page reference leaves the Reports API records' },
    });
    expect(http.requests).toEqual([]);
  });
});

// -----------------------------------------------------------------------------------------------
// Hostile input at the verifier (the receiver's route-level properties: test/receiver/hostile-input.test.ts)
// -----------------------------------------------------------------------------------------------

describe('Vonage verifiers under hostile input', () => {
  const contentTypes = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', ''];
  const requests = fc.record({
    body: fc.oneof(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)), fc.string({ maxLength: 300 }).map((s) => Buffer.from(s))),
    contentType: fc.constantFrom(...contentTypes),
    authorization: fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }).map((s) => `Bearer ${s}.${s}.${s}`)), { nil: undefined }),
    query: fc.string({ maxLength: 100 }),
  });

  it.each([
    { name: 'vonage-sms', verifier: () => sms.bindVerifier(vonageSecret(), 'sec') },
    { name: 'vonage-messages', verifier: () => messages.bindVerifier(vonageSecret(), 'sec') },
  ])('$name refuses any unsigned request with a 4xx error, never another exception', ({ verifier }) => {
    const bound = verifier();
    fc.assert(
      fc.property(requests, ({ body, contentType, authorization, query }) => {
        const request: CallbackRequest = {
          method: 'POST',
          url: `${CALLBACK_URL}?${query}`,
          headers: { 'content-type': contentType, ...(authorization === undefined ? {} : { authorization }) },
          body,
        };
        const error = captureError(() => bound.authenticate(request));
        expect(error instanceof AuthenticationError || error instanceof MalformedCallbackError).toBe(true);
        expect([400, 401, 403, 415]).toContain((error as AuthenticationError).httpStatus);
        expect((error as Error).message).not.toContain(SIGNATURE_SECRET);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Vonage registry rows', () => {
  it.each(['vonage-sms', 'vonage-messages'] as const)('%s: every default terminal status is a known status, and none is in progress', (name) => {
    expect([...DEFAULT_TERMINAL_STATUSES[name]].filter((status) => !KNOWN_STATUSES[name].has(status))).toEqual([]);
    expect([...DEFAULT_TERMINAL_STATUSES[name]].filter((status) => ['accepted', 'buffered', 'submitted', 'unknown'].includes(status))).toEqual([]);
    expect(PROVIDER_CAPABILITIES[name]).toEqual({ deletesMedia: false, redactsAtSent: false, maxRequests: 1, expectsCannotRedact: false, redactableAfterSeconds: 3600 });
  });
});

describe('Vonage SMS receipt parameters', () => {
  it('signs and compares a parameter named __proto__ like any other key', () => {
    const withProto = Object.assign(Object.create(null) as Record<string, string>, receipt());
    withProto['__proto__'] = 'x';
    const body = `${new URLSearchParams(receipt()).toString()}&__proto__=x&sig=${handSig(withProto, SIGNATURE_SECRET, 'md5hash')}`;
    expect(verifySms({ ...formRequest(receipt()), body: Buffer.from(body) }).fields).toHaveProperty('__proto__', 'x');
    // Without the key in what is signed, the same request does not verify.
    const unsigned = `${new URLSearchParams(receipt()).toString()}&__proto__=x&sig=${handSig(receipt(), SIGNATURE_SECRET, 'md5hash')}`;
    expect(captureError(() => verifySms({ ...formRequest(receipt()), body: Buffer.from(unsigned) }))).toBeInstanceOf(AuthenticationError);
  });
});
