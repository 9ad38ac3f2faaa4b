import { verifiedBy } from '../support/verified-callback';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stringify as legacyStringify, parse as legacyParse } from 'node:querystring';
import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import type { CallbackRequest } from '../../functions/core/callbacks/callback-request';
import { signalWireCompatCallbacks } from '../../functions/providers/signalwire-compat';
import { twilioCallbacks } from '../../functions/providers/twilio';
import { signTwilioJson } from '../../functions/providers/twilio-signature';
import { SIGNALWIRE_OLD_SIGNING_KEY, SIGNALWIRE_SIGNING_KEY, captureError, signalWireCompatStatusParams, signalWireSecret, formCallbackRequest } from '../support/provider-fixtures';
import { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_OLD_AUTH_TOKEN, twilioSecret, twilioStatusParams } from '../support/twilio-fixtures';

/*
 * The receiver must accept exactly what the official validators accept: twilio-node 6.3.1's
 * validateRequest for Twilio, @signalwire/compatibility-api's for SignalWire compat. Each property signs
 * a callback over one URL (what the provider or its proxy saw) and checks it against another (what the
 * receiver rebuilt): the same URL, or one that differs by port, host case, scheme case or encoding.
 */

interface SignalWireWebhooks {
  validateRequest(key: string, header: string, url: string, params: Record<string, string>, suppressWarning?: boolean): boolean;
  getExpectedTwilioSignature(key: string, url: string, params: Record<string, string>): string;
}
const require = createRequire(import.meta.url);
const signalWire = require(
  join(dirname(require.resolve('@signalwire/compatibility-api')), '..', 'lib', 'webhooks', 'webhooks.js'),
) as SignalWireWebhooks;

const RUNS = { numRuns: 300 };

/** A URL in parts, so the signed and the received forms can differ in exactly the chosen ways. */
interface UrlShape {
  readonly scheme: string;
  readonly host: string;
  readonly port: string;
  readonly path: string;
  readonly query: string;
}

const build = (url: UrlShape): string => `${url.scheme}://${url.host}${url.port}${url.path}${url.query === '' ? '' : `?${url.query}`}`;

const chars = (alphabet: readonly string[], maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((parts) => parts.join(''));

/** Characters WHATWG or the legacy querystring module encode differently from what was sent. */
const PATH_CHARS = ['a', 'B', '0', '-', '_', '.', '~', "'", '!', '(', ')', '*', ',', ';', '=', ':', '@', '%7E', '%27', '%20', ' ', '^', '|', '`', '{', 'é', '✓'];
const QUERY_CHARS = [...PATH_CHARS.filter((c) => c !== '='), '+', '%2B', '/', '?'];

// An `xn--` label is punycode (IDNA): an invalid one is no host at all, for WHATWG and the oracle alike.
const hostArb = fc
  .array(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,8}[a-zA-Z0-9]$/).filter((label) => !/^xn--/i.test(label)), { minLength: 1, maxLength: 3 })
  .map((labels) => `${labels.join('.')}.Example.COM`);

const urlArb: fc.Arbitrary<UrlShape> = fc.record({
  scheme: fc.constantFrom('https', 'https', 'http', 'HTTPS'),
  host: hostArb,
  port: fc.constantFrom('', '', ':443', ':80', ':8443', ':3000'),
  path: fc.array(chars(PATH_CHARS, 8), { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`),
  query: fc.oneof(
    fc.constant(''),
    fc.array(fc.tuple(chars(QUERY_CHARS, 6), chars(QUERY_CHARS, 6)), { minLength: 1, maxLength: 3 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  ),
});

/** How the URL the provider signed differs from the URL the receiver saw. */
const differenceArb = fc.record({
  port: fc.constantFrom('same', 'none', 'default', ':8443', ':9443'),
  hostCase: fc.constantFrom('same', 'lower', 'upper'),
  schemeCase: fc.constantFrom('same', 'lower'),
  encoding: fc.constantFrom('same', 'whatwg', 'legacy-query'),
});

type Difference = typeof differenceArb extends fc.Arbitrary<infer T> ? T : never;

/** Built independently of the receiver's code: WHATWG through `new URL`, the legacy form through `querystring`. */
function signedForm(received: UrlShape, difference: Difference): string {
  const defaultPort = received.scheme.toLowerCase() === 'https' ? ':443' : ':80';
  let url: UrlShape = {
    ...received,
    port: { same: received.port, none: '', default: defaultPort, ':8443': ':8443', ':9443': ':9443' }[difference.port],
    host: { same: received.host, lower: received.host.toLowerCase(), upper: received.host.toUpperCase() }[difference.hostCase],
    scheme: difference.schemeCase === 'lower' ? received.scheme.toLowerCase() : received.scheme,
  };
  if (difference.encoding === 'same') return build(url);
  const whatwg = new URL(build(url));
  url = { ...url, path: whatwg.pathname, query: whatwg.search.slice(1) };
  if (difference.encoding === 'legacy-query' && url.query !== '') url = { ...url, query: legacyStringify(legacyParse(url.query)) };
  return build(url);
}

/** Extra form params with distinct names, any text values. */
const extraParamsArb = fc.uniqueArray(fc.tuple(fc.stringMatching(/^X[A-Za-z0-9_]{0,6}$/), chars([...QUERY_CHARS, '&', '='], 10)), {
  maxLength: 4,
  selector: ([key]) => key,
});


function accepts(verify: () => unknown): boolean {
  try {
    verify();
    return true;
  } catch {
    return false;
  }
}

describe('Twilio: the receiver accepts exactly what twilio-node 6.3 validateRequest accepts', () => {
  const verifier = twilioCallbacks.bindVerifier(twilioSecret({ previousAuthToken: TWILIO_OLD_AUTH_TOKEN }), 'sec');
  const tokenArb = fc.constantFrom(TWILIO_AUTH_TOKEN, TWILIO_OLD_AUTH_TOKEN, 'unrelated-token-0123456789');

  it('on random URLs whose signed form differs by port, case or encoding', () => {
    fc.assert(
      fc.property(urlArb, differenceArb, extraParamsArb, tokenArb, (received, difference, extra, token) => {
        const params = [...twilioStatusParams({ MessageSid: 'SM' + 'c'.repeat(32) }), ...extra];
        const receivedUrl = build(received);
        const signature = twilio.getExpectedTwilioSignature(token, signedForm(received, difference), Object.fromEntries(params));
        const official = [TWILIO_AUTH_TOKEN, TWILIO_OLD_AUTH_TOKEN].some((key) =>
          twilio.validateRequest(key, signature, receivedUrl, Object.fromEntries(params)),
        );
        const ours = accepts(() => verifier.authenticate(formCallbackRequest(receivedUrl, params, { 'x-twilio-signature': signature })));
        expect(ours).toBe(official);
      }),
      RUNS,
    );
  });

  it.each([
    { name: 'a non-default port the signer left out', received: 'https://hooks.example.com:8443/callbacks/r1', signed: 'https://hooks.example.com/callbacks/r1' },
    { name: ':80 on https', received: 'https://hooks.example.com:80/callbacks/r1', signed: 'https://hooks.example.com/callbacks/r1' },
    { name: 'an upper-case host', received: 'https://Hooks.Example.COM/callbacks/r1', signed: 'https://hooks.example.com/callbacks/r1' },
    { name: 'a path the signer percent-encoded', received: 'https://hooks.example.com/callbacks/r{1} x', signed: 'https://hooks.example.com/callbacks/r%7B1%7D%20x' },
    { name: 'a query re-encoded by the legacy querystring module', received: "https://hooks.example.com/callbacks/r1?t=a'b", signed: 'https://hooks.example.com/callbacks/r1?t=a%27b' },
  ])('accepts $name, as twilio-node does', ({ received, signed }) => {
    const params = twilioStatusParams();
    const signature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, signed, Object.fromEntries(params));
    expect(twilio.validateRequest(TWILIO_AUTH_TOKEN, signature, received, Object.fromEntries(params))).toBe(true);
    expect(verifier.authenticate(formCallbackRequest(received, params, { 'x-twilio-signature': signature }))).toMatchObject(verifiedBy('current'));
  });

  it('still refuses a signature made for another non-default port', () => {
    const params = twilioStatusParams();
    const signature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, 'https://hooks.example.com:8443/callbacks/r1', Object.fromEntries(params));
    const received = 'https://hooks.example.com:9443/callbacks/r1';
    expect(twilio.validateRequest(TWILIO_AUTH_TOKEN, signature, received, Object.fromEntries(params))).toBe(false);
    expect(captureError(() => verifier.authenticate(formCallbackRequest(received, params, { 'x-twilio-signature': signature })))).toMatchObject({ httpStatus: 403 });
  });

  it('refuses any changed byte of the params, the token or the signature, whatever URL form was signed', () => {
    const change = fc.constantFrom('param value', 'param name', 'signature', 'token');
    fc.assert(
      fc.property(urlArb, differenceArb, extraParamsArb, change, fc.nat(), (received, difference, extra, what, at) => {
        const params: Array<[string, string]> = [...twilioStatusParams({ MessageSid: 'SM' + 'd'.repeat(32) }), ...extra];
        const receivedUrl = build(received);
        const signedUrl = signedForm(received, difference);
        let signature = twilio.getExpectedTwilioSignature(what === 'token' ? TWILIO_AUTH_TOKEN.replace(/.$/, 'X') : TWILIO_AUTH_TOKEN, signedUrl, Object.fromEntries(params));
        const index = at % params.length;
        if (what === 'param value') params[index] = [params[index]![0], `${params[index]![1]}x`];
        if (what === 'param name') params[index] = [`${params[index]![0]}x`, params[index]![1]];
        if (what === 'signature') {
          const i = at % (signature.length - 1);
          signature = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
        }
        expect(twilio.validateRequest(TWILIO_AUTH_TOKEN, signature, receivedUrl, Object.fromEntries(params))).toBe(false);
        expect(accepts(() => verifier.authenticate(formCallbackRequest(receivedUrl, params, { 'x-twilio-signature': signature })))).toBe(false);
      }),
      RUNS,
    );
  });

  describe('JSON bodySHA256 variant', () => {
    const body = JSON.stringify({ AccountSid: TWILIO_ACCOUNT_SID, MessageSid: 'SM' + 'e'.repeat(32), MessageStatus: 'delivered' });
    const jsonRequest = (url: string, signature: string): CallbackRequest => ({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
      body: Buffer.from(body),
    });

    it('accepts it over random URL forms exactly when validateRequestWithBody does', () => {
      fc.assert(
        fc.property(urlArb, differenceArb, (received, difference) => {
          const hash = twilio.getExpectedBodyHash(body);
          const receivedUrl = `${build(received)}${received.query === '' ? '?' : '&'}bodySHA256=${hash}`;
          const signedBase = signedForm(received, difference);
          const signedUrl = `${signedBase}${signedBase.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
          const signature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, signedUrl, {});
          const official = twilio.validateRequestWithBody(TWILIO_AUTH_TOKEN, signature, receivedUrl, body);
          expect(accepts(() => verifier.authenticate(jsonRequest(receivedUrl, signature)))).toBe(official);
        }),
        RUNS,
      );
    });

    it('compares the bodySHA256 hex case-sensitively, as twilio-node does', () => {
      const { url, signature } = signTwilioJson(TWILIO_AUTH_TOKEN, 'https://hooks.example.com/callbacks/r1', body);
      const upper = url.replace(/bodySHA256=([0-9a-f]+)/, (_, hex: string) => `bodySHA256=${hex.toUpperCase()}`);
      const upperSignature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, upper, {});
      expect(twilio.validateRequestWithBody(TWILIO_AUTH_TOKEN, signature, url, body)).toBe(true);
      expect(twilio.validateRequestWithBody(TWILIO_AUTH_TOKEN, upperSignature, upper, body)).toBe(false);
      expect(verifier.authenticate(jsonRequest(url, signature))).toMatchObject(verifiedBy('current'));
      expect(captureError(() => verifier.authenticate(jsonRequest(upper, upperSignature)))).toMatchObject({
        httpStatus: 403,
        message: "X-Twilio-Signature does not match (check the account's publicUrl and signing secret)",
      });
    });
  });
});

describe('SignalWire compat: the receiver accepts what @signalwire/compatibility-api validateRequest accepts', () => {
  const verifier = signalWireCompatCallbacks.bindVerifier(signalWireSecret({ previousSigningKey: SIGNALWIRE_OLD_SIGNING_KEY }), 'sec');
  const keyArb = fc.constantFrom(SIGNALWIRE_SIGNING_KEY, SIGNALWIRE_OLD_SIGNING_KEY, 'PSK_unrelated0123456789abcdef');
  /** Forms the receiver accepted before the SDK's handling was matched: the URL as received, port added or removed. */
  const samePortless = (a: string, b: string) => a.replace(/^([a-z]+:\/\/[^/:]*)(:\d*)?/i, '$1') === b.replace(/^([a-z]+:\/\/[^/:]*)(:\d*)?/i, '$1');

  it('on random URLs whose signed form differs by port, host case or scheme case', () => {
    const sdkDifferenceArb = differenceArb.map((difference) => ({ ...difference, encoding: 'same' as const }));
    fc.assert(
      fc.property(urlArb, sdkDifferenceArb, extraParamsArb, keyArb, (received, difference, extra, key) => {
        const params = [...signalWireCompatStatusParams({ MessageSid: '5f0c8a1e-0000-4000-8000-000000000001' }), ...extra];
        const receivedUrl = build(received);
        const signedUrl = signedForm(received, difference);
        const signature = signalWire.getExpectedTwilioSignature(key, signedUrl, Object.fromEntries(params));
        const official = [SIGNALWIRE_SIGNING_KEY, SIGNALWIRE_OLD_SIGNING_KEY].some((k) =>
          signalWire.validateRequest(k, signature, receivedUrl, Object.fromEntries(params), true),
        );
        const ours = accepts(() => verifier.authenticate(formCallbackRequest(receivedUrl, params, { 'x-signalwire-signature': signature })));
        if (official) expect(ours).toBe(true);
        // Beyond the SDK, only the URL as received with its port added or removed (accepted before).
        if (ours && !official) expect(key !== 'PSK_unrelated0123456789abcdef' && samePortless(signedUrl, receivedUrl)).toBe(true);
      }),
      RUNS,
    );
  });

  it.each([
    { name: 'an upper-case host', received: 'https://Hooks.Example.COM/callbacks/r1', signed: 'https://hooks.example.com/callbacks/r1' },
    { name: 'a non-default port the signer left out', received: 'https://hooks.example.com:8443/callbacks/r1', signed: 'https://hooks.example.com/callbacks/r1' },
    { name: 'an explicit :443 the SDK drops', received: 'HTTPS://hooks.example.com:443/callbacks/r1', signed: 'https://hooks.example.com:443/callbacks/r1' },
  ])('accepts $name, as the SDK does', ({ received, signed }) => {
    const params = signalWireCompatStatusParams();
    const signature = signalWire.getExpectedTwilioSignature(SIGNALWIRE_SIGNING_KEY, signed, Object.fromEntries(params));
    expect(signalWire.validateRequest(SIGNALWIRE_SIGNING_KEY, signature, received, Object.fromEntries(params), true)).toBe(true);
    expect(verifier.authenticate(formCallbackRequest(received, params, { 'x-signalwire-signature': signature }))).toMatchObject(verifiedBy('current'));
  });
});
