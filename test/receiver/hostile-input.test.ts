import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { Pool } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { routeFromCallbackPath } from '../../functions/core/callbacks/callback-route';
import { indexByRoute, parseAccounts } from '../../functions/core/config/config';
import { createJsonLogger } from '../../functions/core/telemetry/logger';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import type { SecretStore } from '../../functions/core/secrets/secret-store';
import { callbackProviders } from '../../functions/providers';
import { signSignalWireRest } from '../../functions/providers/signalwire-rest';
import { formParams, signTwilioForm } from '../../functions/providers/twilio-signature';
import { createReceiverHandler } from '../../functions/receiver/create-handler';
import { startApiGateway, type LocalApiGateway } from '../../local/api-gateway-server';
import { buildCallback, type CallbackSigningSecrets } from '../../functions/providers/callback-builder';
import { newMessageId, type SandboxMessage } from '../../local/sandbox/sandbox-message';
import { signVonageMessagesJwt } from '../../functions/providers/vonage-messages';
import { signVonageSms } from '../../functions/providers/vonage-sms';
import {
  CARRIERX_CALLBACK_TOKEN,
  SIGNALWIRE_PROJECT_ID,
  SIGNALWIRE_SIGNING_KEY,
  VONAGE_API_KEY,
  VONAGE_API_SECRET,
  VONAGE_SIGNATURE_SECRET,
  carrierXSecret,
  signalWireSecret,
  vonageSecret,
} from '../support/provider-fixtures';
import { PII, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, apiGatewayEvent, twilioSecret } from '../support/twilio-fixtures';

/**
 * Hostile input against the real receiver handler: forged, malformed, oversized, wrongly encoded,
 * replayed-with-altered-params and wrong-route requests. Every one must get a 4xx (never a 5xx or a
 * crash), nothing may be enqueued, and no body, number, token or signature may reach a log line.
 * Every tenth request also goes over real HTTP through the local API gateway (`npm start`'s front
 * door), which must answer exactly as the handler does, or API Gateway's 404 where no route matches.
 */
const DOMAIN = 'abc123.execute-api.eu-west-1.amazonaws.com';
const ROUTES: Record<ProviderName, string> = {
  twilio: 'tw-fuzz',
  'signalwire-compat': 'swc-fuzz',
  'signalwire-rest': 'swr-fuzz',
  carrierx: 'cx-fuzz',
  'vonage-sms': 'vs-fuzz',
  'vonage-messages': 'vm-fuzz',
};
const PROVIDERS = Object.keys(ROUTES) as ProviderName[];
const SECRETS: Record<string, Record<string, unknown>> = {
  'sec/twilio': twilioSecret(),
  'sec/signalwire': signalWireSecret(),
  'sec/carrierx': carrierXSecret(),
  'sec/vonage': vonageSecret(),
};
const SIGNING: CallbackSigningSecrets = {
  twilio: { accountSid: TWILIO_ACCOUNT_SID, authToken: TWILIO_AUTH_TOKEN },
  signalwire: { projectId: SIGNALWIRE_PROJECT_ID, signingKey: SIGNALWIRE_SIGNING_KEY },
  carrierx: { callbackToken: CARRIERX_CALLBACK_TOKEN },
  vonage: { apiKey: VONAGE_API_KEY, signatureSecret: VONAGE_SIGNATURE_SECRET },
};
const NEVER_LOGGED = [
  PII.body, PII.from, PII.to, '+15005550006', '+14155552671', '15005550006', '447700900000', '447700900001',
  TWILIO_AUTH_TOKEN, SIGNALWIRE_SIGNING_KEY, CARRIERX_CALLBACK_TOKEN, VONAGE_SIGNATURE_SECRET, VONAGE_API_SECRET,
];

const accounts = indexByRoute(
  parseAccounts(
    PROVIDERS.map((provider) => ({
      route: ROUTES[provider],
      provider,
      secretId: provider === 'twilio' || provider === 'carrierx' ? `sec/${provider}` : provider.startsWith('vonage') ? 'sec/vonage' : 'sec/signalwire',
    })),
  ),
);
const secrets: SecretStore = { get: async (id) => SECRETS[id], invalidate() {} };
const enqueued: RedactionJob[] = [];
const logLines: string[] = [];
const handler = createReceiverHandler({
  accounts,
  providers: callbackProviders,
  secrets,
  queue: { send: async (job) => void enqueued.push(job) },
  now: () => new Date(),
  // DEBUG: the lines that are off by default must not leak either.
  log: createJsonLogger({ write: (line) => logLines.push(line), level: 'DEBUG' }),
  maxBodyBytes: 64 * 1024,
});

/** Every HTTP_SAMPLE-th request is also sent to the local API gateway (bounded: about 1,100 requests). */
const HTTP_SAMPLE = 10;
const GATEWAY_NOT_FOUND = { status: 404, body: '{"message":"Not Found"}' };
let gateway: LocalApiGateway;
let http: Pool;
let requests = 0;

beforeAll(async () => {
  gateway = await startApiGateway(handler, { routes: Object.values(ROUTES) });
  http = new Pool(gateway.origin, { connections: 2 });
});

afterAll(async () => {
  await http.close();
  await gateway.stop();
});

beforeEach(() => {
  enqueued.length = 0;
  logLines.length = 0;
});

/** A correctly signed terminal callback as the provider would send it (with the PII it carries). */
function signedCallback(provider: ProviderName): { url: string; headers: Record<string, string>; body: string } {
  const message: SandboxMessage = {
    provider,
    id: newMessageId(provider, false),
    body: PII.body,
    status: 'delivered',
    direction: 'outbound',
    media: [],
    userData: '',
    redactAttempts: 0,
  };
  return buildCallback(message, 'delivered', `https://${DOMAIN}/callbacks/${ROUTES[provider]}`, SIGNING);
}

/**
 * Any text as a correctly signed Vonage body: SMS, as form parameters with a fresh `timestamp` and
 * their `sig` appended; Messages, as JSON with a fresh JWT over its bytes. Authentication passes, so
 * the parser must refuse it.
 */
function signedVonageBody(provider: ProviderName, text: string): { headers: Record<string, string>; body: string } {
  const now = Math.floor(Date.now() / 1000);
  if (provider === 'vonage-sms') {
    const body = `${text}&timestamp=${now}`;
    const params = Object.fromEntries(new URLSearchParams(body));
    return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${body}&sig=${signVonageSms(params, VONAGE_SIGNATURE_SECRET, 'md5hash')}` };
  }
  const jwt = signVonageMessagesJwt(VONAGE_SIGNATURE_SECRET, text, { apiKey: VONAGE_API_KEY, iat: now });
  return { headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` }, body: text };
}

interface HostileRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
  /** Claim a base64 body (only an event can say so; over HTTP API Gateway decides by media type). */
  readonly base64?: boolean;
  /** The route API Gateway matched, when the path alone does not name it (custom-domain mapping key). */
  readonly route?: string;
}

function toEvent(input: HostileRequest): APIGatewayProxyEventV2 {
  const url = new URL(input.url);
  return apiGatewayEvent({
    method: 'POST',
    domain: DOMAIN,
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    ...(input.route === undefined ? {} : { route: input.route }),
    headers: Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: input.body,
    base64: input.base64 === true || typeof input.body !== 'string',
  });
}

/** Runs `request` and checks the invariants; returns the status for category-specific checks. */
async function expectRefused(request: HostileRequest, event: APIGatewayProxyEventV2 = toEvent(request)): Promise<number> {
  enqueued.length = 0;
  const result = await handler(event);
  const status = result.statusCode ?? 0;
  if (status < 400 || status >= 500) throw new Error(`answered ${status}: ${String(result.body)}`);
  if (enqueued.length > 0) throw new Error('a job was enqueued');
  requests += 1;
  if (requests % HTTP_SAMPLE === 0) await expectSameAnswerOverHttp(request);
  return status;
}

/**
 * Sends `request` through the local API gateway. A configured route must get exactly the handler's
 * answer to the event API Gateway would build (body passed as text or base64 by its media type, header
 * values trimmed as HTTP parsers do); any other path, API Gateway's own 404 without an invocation.
 */
async function expectSameAnswerOverHttp(request: HostileRequest): Promise<void> {
  const url = new URL(request.url);
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
  const route = routeFromCallbackPath(url.pathname);
  let expected = GATEWAY_NOT_FOUND;
  if (route !== undefined && Object.values(ROUTES).includes(route)) {
    const event = apiGatewayEvent({ method: 'POST', domain: DOMAIN, rawPath: url.pathname, rawQuery: url.search.slice(1), headers, body });
    const answer = await handler(event);
    expected = { status: answer.statusCode ?? 0, body: String(answer.body) };
  }
  enqueued.length = 0;
  const response = await http.request({ method: 'POST', path: `${url.pathname}${url.search}`, headers: { ...headers, host: DOMAIN }, body });
  expect({ status: response.statusCode, body: await response.body.text() }).toEqual(expected);
  expect(enqueued).toEqual([]);
}

const provider = fc.constantFrom(...PROVIDERS);
const junkHeaderValue = fc.oneof(fc.string(), fc.base64String(), fc.stringMatching(/^[0-9a-f]{40}$/), fc.constant(''));

describe('Receiver: hostile input (fast-check, 12,500 requests, one in ten also over HTTP)', () => {
  it('refuses callbacks with forged signatures or tokens (2,500)', async () => {
    await fc.assert(
      fc.asyncProperty(provider, junkHeaderValue, async (p, forged) => {
        const callback = signedCallback(p);
        const headers = { ...callback.headers };
        if ('x-twilio-signature' in headers) headers['x-twilio-signature'] = forged;
        if ('x-signalwire-signature' in headers) headers['x-signalwire-signature'] = forged;
        // Vonage Messages: a forged bearer token; Vonage SMS: a forged `sig` parameter in the body.
        if ('authorization' in headers) headers.authorization = `Bearer ${forged}`;
        const body = p === 'vonage-sms' ? callback.body.replace(/sig=[^&]*/, `sig=${encodeURIComponent(forged)}`) : callback.body;
        const url = p === 'carrierx' ? callback.url.replace(/token=[^&]*/, `token=${encodeURIComponent(forged)}`) : callback.url;
        expect([401, 403]).toContain(await expectRefused({ ...callback, url, headers, body }));
      }),
      { numRuns: 2_500 },
    );
  });

  it('refuses replays whose params, body or URL were altered (2,500)', async () => {
    const alteration = fc.record({ index: fc.nat(), value: fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/), kind: fc.constantFrom('body', 'query', 'path') });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<ProviderName>('twilio', 'signalwire-compat', 'signalwire-rest'), alteration, async (p, change) => {
        const callback = signedCallback(p);
        let { url, body } = callback;
        if (change.kind === 'body') {
          const at = change.index % body.length;
          const replacement = body[at] === 'x' ? 'y' : 'x';
          body = body.slice(0, at) + replacement + body.slice(at + 1);
        } else if (change.kind === 'query') {
          url = `${url}${url.includes('?') ? '&' : '?'}added=${encodeURIComponent(change.value)}`;
        } else {
          // Same route, another path: e.g. a proxy that added a prefix the account's publicUrl does not know.
          url = url.replace(`https://${DOMAIN}/`, `https://${DOMAIN}/${encodeURIComponent(change.value)}/`);
        }
        const status = await expectRefused({ ...callback, url, body, route: ROUTES[p] });
        expect([400, 403, 415]).toContain(status);
      }),
      { numRuns: 2_500 },
    );
  });

  it('refuses Vonage callbacks whose signed fields or body were altered (1,000)', async () => {
    // Vonage signs the fields (SMS: every parameter, query included) or the body's hash (Messages),
    // never the URL: what a replay can change is covered by those. Changing the `sig` key itself
    // leaves the receipt unsigned (401).
    const alteration = fc.record({ index: fc.nat(), value: fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/), query: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<ProviderName>('vonage-sms', 'vonage-messages'), alteration, async (p, change) => {
        const callback = signedCallback(p);
        let { url, body } = callback;
        if (change.query && p === 'vonage-sms') {
          url = `${url}?added=${encodeURIComponent(change.value)}`;
        } else {
          const at = change.index % body.length;
          body = body.slice(0, at) + (body[at] === 'x' ? 'y' : 'x') + body.slice(at + 1);
        }
        expect([400, 401, 403, 415]).toContain(await expectRefused({ ...callback, url, body }));
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses Vonage callbacks signed more than 300 s ago (replayed or expired) with 403 (500)', async () => {
    const age = fc.integer({ min: 301, max: 30 * 86_400 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<ProviderName>('vonage-sms', 'vonage-messages'), age, async (p, seconds) => {
        const callback = signedCallback(p);
        const then = Math.floor(Date.now() / 1000) - seconds;
        let replay = callback;
        if (p === 'vonage-sms') {
          const params = Object.fromEntries(new URLSearchParams(callback.body));
          delete params.sig;
          params.timestamp = String(then);
          replay = { ...callback, body: new URLSearchParams({ ...params, sig: signVonageSms(params, VONAGE_SIGNATURE_SECRET, 'md5hash') }).toString() };
        } else {
          const jwt = signVonageMessagesJwt(VONAGE_SIGNATURE_SECRET, callback.body, { apiKey: VONAGE_API_KEY, iat: then });
          replay = { ...callback, headers: { ...callback.headers, authorization: `Bearer ${jwt}` } };
        }
        expect(await expectRefused(replay)).toBe(403);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses unsigned malformed bodies, content types and headers before parsing them (2,500)', async () => {
    const body = fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.webQueryParameters());
    const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', '', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16');
    await fc.assert(
      fc.asyncProperty(provider, body, contentType, junkHeaderValue, async (p, text, type, signature) => {
        const url = `https://${DOMAIN}/callbacks/${ROUTES[p]}${p === 'carrierx' ? `?token=${signature}` : ''}`;
        await expectRefused({ url, headers: { 'content-type': type, 'x-twilio-signature': signature, 'x-signalwire-signature': signature }, body: text });
      }),
      { numRuns: 2_500 },
    );
  });

  it('refuses correctly signed bodies that do not parse: they reach the parser and get 400/415 (2,500)', async () => {
    // Signed with the real keys, so each passes authentication and the provider's parser must refuse it.
    const body = fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.webQueryParameters());
    await fc.assert(
      fc.asyncProperty(provider, body, async (p, text) => {
        const url = `https://${DOMAIN}/callbacks/${ROUTES[p]}${p === 'carrierx' ? `?token=${CARRIERX_CALLBACK_TOKEN}` : ''}`;
        if (p.startsWith('vonage')) {
          const signed = signedVonageBody(p, text);
          expect([400, 415]).toContain(await expectRefused({ url, headers: signed.headers, body: signed.body }));
          return;
        }
        const raw = Buffer.from(text, 'utf8');
        const headers: Record<string, string> =
          p === 'twilio'
            ? { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioForm(TWILIO_AUTH_TOKEN, url, formParams(raw)) }
            : p === 'signalwire-compat'
              ? { 'content-type': 'application/x-www-form-urlencoded', 'x-signalwire-signature': signTwilioForm(SIGNALWIRE_SIGNING_KEY, url, formParams(raw)) }
              : p === 'signalwire-rest'
                ? { 'content-type': 'application/json', 'x-signalwire-signature': signSignalWireRest(SIGNALWIRE_SIGNING_KEY, url, raw) }
                : { 'content-type': 'application/json' };
        const status = await expectRefused({ url, headers, body: text });
        // 400 malformed (415 where the media type is wrong); never 401/403: the parser was reached.
        expect([400, 415]).toContain(status);
      }),
      { numRuns: 2_500 },
    );
  });

  it('refuses oversized bodies with 413 before reading them (500)', async () => {
    await fc.assert(
      fc.asyncProperty(provider, fc.integer({ min: 64 * 1024 + 1, max: 256 * 1024 }), async (p, size) => {
        const callback = signedCallback(p);
        const json = p.endsWith('rest') || p === 'carrierx' || p === 'vonage-messages';
        const padded = `${callback.body}${json ? ' ' : '&Padding='}${'a'.repeat(size - callback.body.length)}`;
        expect(await expectRefused({ ...callback, body: padded })).toBe(413);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses wrongly encoded bodies: binary, invalid UTF-8, bad base64 (1,500)', async () => {
    await fc.assert(
      fc.asyncProperty(provider, fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.boolean(), async (p, bytes, claimBase64) => {
        const callback = signedCallback(p);
        const request = { ...callback, body: Buffer.from(bytes) };
        const event = toEvent(request);
        // Also: a body flagged base64 that is not base64 at all.
        await expectRefused(request, claimBase64 ? { ...event, body: '%%%not base64%%%', isBase64Encoded: true } : event);
      }),
      { numRuns: 1_500 },
    );
  });

  it('answers 404 for any route that is not configured (1,000)', async () => {
    const route = fc.string({ minLength: 1, maxLength: 200 }).filter((r) => !Object.values(ROUTES).includes(r));
    await fc.assert(
      fc.asyncProperty(provider, route, async (p, r) => {
        const callback = signedCallback(p);
        const url = callback.url.replace(`/callbacks/${ROUTES[p]}`, `/callbacks/${encodeURIComponent(r)}`);
        expect(await expectRefused({ ...callback, url })).toBe(404);
      }),
      { numRuns: 1_000 },
    );
  });

  it('answers 404 for a route that is not valid percent-encoding, and keeps serving (500)', async () => {
    const escape = fc.constantFrom('%', '%E0', '%A4', '%A', '%E0%A4%A', '%ZZ', '%C3', '%FF', '%2F', '%00', '%25');
    const segment = fc.array(fc.oneof(escape, fc.stringMatching(/^[A-Za-z0-9_-]{1,4}$/)), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(provider, segment, async (p, raw) => {
        const callback = signedCallback(p);
        const url = callback.url.replace(`/callbacks/${ROUTES[p]}`, `/callbacks/${raw}`);
        expect(await expectRefused({ ...callback, url })).toBe(404);
      }),
      { numRuns: 500 },
    );
    // The exact path that used to throw an uncaught URIError in the local server and end `npm start`.
    const response = await http.request({ method: 'POST', path: '/callbacks/%E0%A4%A', headers: { host: DOMAIN }, body: 'x=1' });
    expect({ status: response.statusCode, body: await response.body.text() }).toEqual(GATEWAY_NOT_FOUND);
    const next = await http.request({ method: 'POST', path: `/callbacks/${ROUTES.twilio}`, headers: { host: DOMAIN }, body: 'x=1' });
    expect({ status: next.statusCode, body: await next.body.text() }).toEqual({ status: 401, body: '{"error":"missing X-Twilio-Signature header"}' });
  });

  it('wrote no body, phone number, token or signature to the logs along the way', async () => {
    const signatures: string[] = [];
    for (const p of PROVIDERS) {
      const callback = signedCallback(p);
      // Signature headers (a refusal may name the media types it accepts, so not content-type).
      signatures.push(...Object.entries(callback.headers).filter(([name, v]) => name !== 'content-type' && v.length > 20).map(([, v]) => v));
      // Vonage SMS signs in the body: its `sig`.
      const sig = new URLSearchParams(callback.body).get('sig');
      if (p === 'vonage-sms' && sig !== null) signatures.push(sig);
      const tampered = { ...callback, body: callback.body.replace('delivered', 'delivereD') };
      await handler(toEvent(tampered));
      await handler(toEvent({ ...callback, route: 'nope' }));
      await handler(toEvent({ ...callback, headers: { ...callback.headers, 'content-type': 'text/plain' } }));
    }
    expect(logLines.length).toBeGreaterThanOrEqual(12);
    const leaks = [...NEVER_LOGGED, ...signatures].filter((secret) => logLines.some((line) => line.includes(secret)));
    expect(leaks).toEqual([]);
  });
});
