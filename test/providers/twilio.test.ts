import { verifiedBy } from '../support/verified-callback';
import { describe, expect, it } from 'vitest';
import type { CallbackRequest } from '../../functions/core/callbacks/callback-request';
import { AuthenticationError, HttpTransportError, MalformedCallbackError, SecretShapeError } from '../../functions/core/runtime/errors';
import type { Outcome } from '../../functions/core/redaction/outcome';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { DEFAULT_TERMINAL_STATUSES } from '../../functions/core/provider-rules/terminal-rules';
import { classifyTwilioError, twilioCallbacks, twilioRedaction } from '../../functions/providers/twilio';
import { signTwilioForm, signTwilioJson } from '../../functions/providers/twilio-signature';
import { json, scriptedHttp } from '../support/fake-http';
import { captureError, parseVerified, formCallbackRequest } from '../support/provider-fixtures';
import {
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_OLD_AUTH_TOKEN,
  sid,
  twilioSecret,
  twilioStatusParams,
} from '../support/twilio-fixtures';

const URL = 'https://hooks.example.com/callbacks/r1';
const NOW = new Date('2026-11-25T17:00:00Z');
const BASE_CONTEXT = { terminalStatuses: DEFAULT_TERMINAL_STATUSES.twilio, attemptBodyUpdate: false };

function formRequest(params: Array<[string, string]>, signature?: string, headers: Record<string, string> = {}): CallbackRequest {
  return formCallbackRequest(URL, params, {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    'x-twilio-signature': signature ?? signTwilioForm(TWILIO_AUTH_TOKEN, URL, params),
    ...headers,
  });
}

/** A delivered callback with a JSON body, signed the bodySHA256 way. */
function jsonRequest(contentType = 'application/json'): { request: CallbackRequest; body: string } {
  const body = JSON.stringify({ AccountSid: TWILIO_ACCOUNT_SID, MessageSid: sid('SM'), MessageStatus: 'delivered' });
  const signed = signTwilioJson(TWILIO_AUTH_TOKEN, URL, body);
  return {
    body,
    request: { method: 'POST', url: signed.url, headers: { 'content-type': contentType, 'x-twilio-signature': signed.signature }, body: Buffer.from(body) },
  };
}

function job(overrides: Partial<RedactionJob> = {}): RedactionJob {
  return { v: 1, provider: 'twilio', route: 'r1', messageId: sid('SM'), status: 'delivered', receivedAt: NOW.toISOString(), ...overrides };
}

/** Parses what the verifier verified, as the receiver does: parsing never sees the raw request. */
const parse = (request: CallbackRequest, route: string) => parseVerified(twilioCallbacks, twilioSecret(), request, route);

describe('Object: twilioCallbacks', () => {
  describe('bindVerifier', () => {
    it('names the bad field of a malformed secret, never its value', () => {
      const secret = twilioSecret({ accountSid: 'not-a-sid-sensitive' });
      expect(() => twilioCallbacks.bindVerifier(secret, 'sec')).toThrow(SecretShapeError);
      expect(() => twilioCallbacks.bindVerifier(secret, 'sec')).toThrow('secret sec is malformed: accountSid: must be AC followed by 32 hex digits');
      expect(() => twilioCallbacks.bindVerifier(secret, 'sec')).not.toThrow(/not-a-sid-sensitive/);
    });

    it('requires apiKeySid and apiKeySecret together', () => {
      expect(() => twilioCallbacks.bindVerifier(twilioSecret({ apiKeySid: sid('SK') }), 'sec')).toThrow(
        'secret sec is malformed: apiKeySid and apiKeySecret must be given together',
      );
    });
  });

  describe('authenticate', () => {
    const verifier = twilioCallbacks.bindVerifier(twilioSecret({ previousAuthToken: TWILIO_OLD_AUTH_TOKEN }), 'sec');

    it('accepts a request signed with the current or the previous token', () => {
      const params = twilioStatusParams();
      expect(verifier.authenticate(formRequest(params))).toMatchObject(verifiedBy('current', { MessageSid: expect.stringMatching(/^SM/) }, TWILIO_ACCOUNT_SID));
      expect(verifier.authenticate(formRequest(params, signTwilioForm(TWILIO_OLD_AUTH_TOKEN, URL, params)))).toMatchObject(verifiedBy('previous', { MessageSid: expect.stringMatching(/^SM/) }, TWILIO_ACCOUNT_SID));
    });

    it('answers 401 when the signature header is missing', () => {
      const request = formRequest(twilioStatusParams());
      const { 'x-twilio-signature': _, ...headers } = request.headers;
      const error = captureError(() => verifier.authenticate({ ...request, headers }));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ httpStatus: 401, message: 'missing X-Twilio-Signature header' });
    });

    it('answers 403 when the signature does not match', () => {
      const error = captureError(() => verifier.authenticate(formRequest(twilioStatusParams(), signTwilioForm('x'.repeat(32), URL, []))));
      expect(error).toMatchObject({ httpStatus: 403, message: "X-Twilio-Signature does not match (check the account's publicUrl and signing secret)" });
    });

    it('returns what it verified: parsing reads those fields, never the request again', () => {
      const { request, body } = jsonRequest();
      const callback = verifier.authenticate(request);
      expect(callback).toEqual({ fields: JSON.parse(body), providerAccount: TWILIO_ACCOUNT_SID, keyGeneration: 'current' });
      // Bytes changed after verification cannot reach the event.
      request.body.write('failed___', body.indexOf('delivered'));
      expect(twilioCallbacks.parseCallback(callback, 'r1')).toMatchObject({ status: 'delivered' });
    });

    it('does not accept a form signature on a request that is not form-encoded', () => {
      const request = formRequest(twilioStatusParams());
      expect(() => verifier.authenticate({ ...request, headers: { ...request.headers, 'content-type': 'text/plain' } })).toThrow(AuthenticationError);
    });

    it('accepts the JSON bodySHA256 variant', () => {
      const { request } = jsonRequest();
      expect(verifier.authenticate(request)).toMatchObject(verifiedBy('current', { MessageSid: expect.stringMatching(/^SM/) }, TWILIO_ACCOUNT_SID));
      expect(parse(request, 'r1')).toMatchObject({ status: 'delivered' });
    });
  });

  describe('parseCallback', () => {
    it('keeps ids and status only, never body or numbers', () => {
      const messageSid = sid('SM');
      const event = parse(formRequest(twilioStatusParams({ MessageSid: messageSid, ErrorCode: '30003', MessageStatus: 'undelivered' })), 'r1');
      expect(event).toEqual({ provider: 'twilio', route: 'r1', messageId: messageSid, status: 'undelivered', errorCode: '30003' });
    });

    it('marks MMS by NumMedia or an MM sid', () => {
      expect(parse(formRequest(twilioStatusParams({ NumMedia: '2' })), 'r1').hasMedia).toBe(true);
      const mm = sid('MM');
      expect(parse(formRequest(twilioStatusParams({ MessageSid: mm, SmsSid: mm })), 'r1').hasMedia).toBe(true);
    });

    it('falls back to SmsSid/SmsStatus', () => {
      const params = twilioStatusParams().filter(([k]) => k !== 'MessageSid' && k !== 'MessageStatus');
      expect(parse(formRequest(params), 'r1')).toMatchObject({ status: 'delivered' });
    });

    it.each([
      { name: 'a malformed MessageSid', params: twilioStatusParams({ MessageSid: 'SM123', SmsSid: sid('SM') }), message: 'invalid Twilio callback: MessageSid: must be SM/MM followed by 32 hex digits' },
      { name: 'a missing status', params: twilioStatusParams().filter(([k]) => !k.endsWith('Status')), message: 'invalid Twilio callback: MessageStatus is missing' },
      { name: 'a missing AccountSid', params: twilioStatusParams().filter(([k]) => k !== 'AccountSid'), message: 'invalid Twilio callback: AccountSid: expected string' },
    ])('rejects $name with 400', ({ params, message }) => {
      const error = captureError(() => parse(formRequest(params), 'r1'));
      expect(error).toBeInstanceOf(MalformedCallbackError);
      expect(error).toMatchObject({ httpStatus: 400, message });
    });

    it('rejects a signed bodySHA256 callback that is not application/json with 415', () => {
      const { request } = jsonRequest('text/plain');
      expect(captureError(() => parse(request, 'r1'))).toMatchObject({ httpStatus: 415, message: 'callback must be application/json' });
    });
  });
});

describe('Function: classifyTwilioError', () => {
  const cases: Array<{ name: string; status: number; body: unknown; headers?: Record<string, string>; outcome: Outcome }> = [
    { name: '404', status: 404, body: { code: 20404, message: 'not found' }, outcome: { kind: 'not-found', code: '20404' } },
    {
      name: '404 without code 20404 (a wrong apiBaseUrl or account)',
      status: 404,
      body: { message: 'no such endpoint' },
      outcome: { kind: 'misconfigured', code: 'http-404', reason: 'Twilio answered 404 without its "not found" error: check the account\'s apiBaseUrl, space and credentials' },
    },
    { name: '20009 (not complete)', status: 400, body: { code: 20009, message: 'x' }, outcome: { kind: 'not-final', code: '20009' } },
    { name: '429 with Retry-After', status: 429, body: { code: 20429 }, headers: { 'retry-after': '7' }, outcome: { kind: 'throttled', code: '20429', retryAfterSeconds: 7 } },
    { name: '429 without Retry-After', status: 429, body: { code: 20429 }, outcome: { kind: 'throttled', code: '20429' } },
    { name: '401', status: 401, body: { code: 20003 }, outcome: { kind: 'auth', code: '20003' } },
    { name: '403', status: 403, body: {}, outcome: { kind: 'auth', code: 'http-403' } },
    { name: '500', status: 500, body: 'oops', outcome: { kind: 'transient', code: 'http-500' } },
    { name: '503', status: 503, body: { code: 20503 }, outcome: { kind: 'transient', code: '20503' } },
    { name: '400 other code', status: 400, body: { code: 30400, message: 'The number +15005550006 …' }, outcome: { kind: 'rejected', code: '30400', reason: 'Twilio refused the request (HTTP 400)' } },
  ];
  it.each(cases)('classifies $name', ({ status, body, headers, outcome }) => {
    expect(classifyTwilioError(json(status, body, headers), NOW)).toEqual(outcome);
  });
});

describe('Object: twilioRedaction', () => {
  const client = twilioRedaction.bindClient(twilioSecret(), 'sec');

  it('sends exactly the documented redact request', async () => {
    const http = scriptedHttp(() => json(200, { sid: 'x', body: '' }));
    const target = job();
    expect(await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW })).toEqual({ kind: 'redacted' });
    expect(http.requests).toEqual([
      {
        method: 'POST',
        url: `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages/${target.messageId}.json`,
        headers: {
          authorization: `Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'Body=',
      },
    ]);
  });

  it('redacts a subaccount\'s message under the subaccount\'s SID with the parent\'s credentials', async () => {
    const subaccountSid = 'AC' + '0a'.repeat(16);
    const http = scriptedHttp(() => json(200, { body: '' }));
    const target = job();
    expect(await client.redact(target, { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW, subaccountSid })).toEqual({ kind: 'redacted' });
    expect(http.requests[0]!.url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${subaccountSid}/Messages/${target.messageId}.json`);
    expect(http.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`);
  });

  it('acts on a subaccount with the parent\'s auth token even when the secret also has an API key (the documented form)', async () => {
    const http = scriptedHttp(() => json(200, { body: '' }));
    const withKey = twilioRedaction.bindClient(twilioSecret({ apiKeySid: sid('SK'), apiKeySecret: 'k'.repeat(32) }), 'sec');
    await withKey.redact(job(), { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW, subaccountSid: 'AC' + '0a'.repeat(16) });
    expect(http.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`);
  });

  it('authenticates with the API key when the secret has one', async () => {
    const keySid = sid('SK');
    const http = scriptedHttp(() => json(200, { body: '' }));
    await twilioRedaction.bindClient(twilioSecret({ apiKeySid: keySid, apiKeySecret: 'k'.repeat(32) }), 'sec').redact(job(), { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW });
    expect(http.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${keySid}:${'k'.repeat(32)}`).toString('base64')}`);
  });

  it('uses the account apiBaseUrl', async () => {
    const http = scriptedHttp(() => json(200, { body: '' }));
    await client.redact(job(), { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW, apiBaseUrl: 'http://127.0.0.1:9999' });
    expect(http.requests[0]!.url.startsWith('http://127.0.0.1:9999/2010-04-01/Accounts/')).toBe(true);
  });

  it('does not call Twilio for an id that is not a message SID', async () => {
    const http = scriptedHttp(() => json(200, {}));
    expect(await client.redact(job({ messageId: 'SMnothex' }), { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW })).toEqual({
      kind: 'rejected',
      code: 'invalid-message-id',
      reason: 'message id is not a Twilio message SID',
    });
    expect(http.requests).toHaveLength(0);
  });

  it('does not report success when Twilio answers 200 with the body still there', async () => {
    const http = scriptedHttp(() => json(200, { body: 'still here' }));
    expect(await client.redact(job(), { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW })).toMatchObject({ kind: 'rejected', code: 'body-not-empty' });
  });

  it('classifies a timeout as transient', async () => {
    const http = scriptedHttp(() => new HttpTransportError('timeout'));
    expect(await client.redact(job(), { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW })).toEqual({ kind: 'transient', code: 'timeout' });
  });

  it('deletes every media item of an MMS across pages when the account enables it', async () => {
    const mms = job({ messageId: sid('MM') });
    const [me1, me2, me3] = [sid('ME'), sid('ME'), sid('ME')];
    const base = `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages/${mms.messageId}`;
    const http = scriptedHttp((request) => {
      if (request.method === 'POST') return json(200, { body: '' });
      if (request.method === 'DELETE') return { status: 204, headers: {}, body: '' };
      return request.url.includes('Page=1')
        ? json(200, { media_list: [{ sid: me3 }], next_page_uri: null })
        : json(200, { media_list: [{ sid: me1 }, { sid: me2 }], next_page_uri: `/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages/${mms.messageId}/Media.json?Page=1` });
    });
    expect(await client.redact(mms, { ...BASE_CONTEXT, http, deleteMedia: true, now: () => NOW })).toEqual({ kind: 'redacted' });
    expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${base}.json`,
      `GET ${base}/Media.json?PageSize=100`,
      `DELETE ${base}/Media/${me1}.json`,
      `DELETE ${base}/Media/${me2}.json`,
      `GET ${base}/Media.json?Page=1`,
      `DELETE ${base}/Media/${me3}.json`,
    ]);
  });

  it('leaves media alone unless the account enables deletion', async () => {
    const http = scriptedHttp(() => json(200, { body: '' }));
    await client.redact(job({ messageId: sid('MM') }), { ...BASE_CONTEXT, http, deleteMedia: false, now: () => NOW });
    expect(http.requests).toHaveLength(1);
  });

  it('reports a failed media deletion so the job is retried', async () => {
    const http = scriptedHttp((request) =>
      request.method === 'POST' ? json(200, { body: '' }) : request.method === 'GET' ? json(200, { media_list: [{ sid: sid('ME') }] }) : json(503, {}),
    );
    expect(await client.redact(job({ media: true }), { ...BASE_CONTEXT, http, deleteMedia: true, now: () => NOW })).toEqual({ kind: 'transient', code: 'http-503' });
  });
});

