import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  computeTwilioSignature,
  matchFormSignature,
  matchJsonSignature,
  signTwilioJson,
  type TwilioStyleSigning,
} from '../../functions/providers/twilio-signature';
import { twilioUrlVariants } from '../../functions/core/callbacks/signed-url-variants';
import { PII, TWILIO_AUTH_TOKEN, TWILIO_OLD_AUTH_TOKEN, twilioStatusParams } from '../support/twilio-fixtures';

/** Twilio's default signing: HMAC-SHA1 under these keys, over the URL forms twilio-node accepts. */
function sha1(keys: readonly string[]): TwilioStyleSigning {
  return { keys, algorithm: 'sha1', urlVariants: twilioUrlVariants };
}

const URL_BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/callbacks/twilio-r0ute';

/** Params as an Express-style body, the shape the twilio SDK takes (repeated keys become arrays). */
function oracleParams(params: Array<[string, string]>): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const existing = object[key];
    object[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return object;
}

/** Twilio's own SDK as the independent oracle: the signature it expects for these params. */
function oracleSignature(token: string, url: string, params: Array<[string, string]>): string {
  return twilio.getExpectedTwilioSignature(token, url, oracleParams(params));
}

describe('Function: matchFormSignature', () => {
  const cases: Array<{ name: string; url: string; params: Array<[string, string]> }> = [
    { name: 'a delivered status callback', url: URL_BASE, params: twilioStatusParams() },
    { name: 'a callback with a raw query string', url: `${URL_BASE}?tenant=a%20b&x=1`, params: twilioStatusParams() },
    { name: 'unicode and reserved characters in values', url: URL_BASE, params: twilioStatusParams({ Body: 'héllo & ünïcødé +1 = ✓', ErrorCode: '30008' }) },
    { name: 'an empty parameter value', url: URL_BASE, params: twilioStatusParams({ ErrorCode: '' }) },
    { name: 'repeated keys with different values', url: URL_BASE, params: [...twilioStatusParams(), ['MediaUrl', 'b'], ['MediaUrl', 'a']] },
    { name: 'no parameters at all', url: URL_BASE, params: [] },
  ];

  it.each(cases)('accepts the signature the twilio SDK computes for $name', ({ url, params }) => {
    const signature = oracleSignature(TWILIO_AUTH_TOKEN, url, params);
    expect(twilio.validateRequest(TWILIO_AUTH_TOKEN, signature, url, oracleParams(params))).toBe(true);
    expect(matchFormSignature(sha1([TWILIO_AUTH_TOKEN]), signature, url, params)).toBe('current');
  });

  it('computes byte-identical signatures to the twilio SDK over 200 random requests', () => {
    for (let i = 0; i < 200; i++) {
      const params: Array<[string, string]> = Array.from({ length: 1 + (i % 12) }, (_, j) => [
        `K${(i * 7 + j * 13) % 17}${String.fromCharCode(97 + (j % 26))}`,
        `${i}-${j}-${'ä&=+ %'.slice(0, j % 6)}`,
      ]);
      const url = `${URL_BASE}?n=${i}`;
      expect(computeTwilioSignature(TWILIO_AUTH_TOKEN, url, params)).toBe(oracleSignature(TWILIO_AUTH_TOKEN, url, params));
    }
  });

  it('accepts a signature made over the URL with the default port :443 added', () => {
    const params = twilioStatusParams();
    const withPort = URL_BASE.replace('.com/', '.com:443/');
    const signature = oracleSignature(TWILIO_AUTH_TOKEN, withPort, params);
    expect(matchFormSignature(sha1([TWILIO_AUTH_TOKEN]), signature, URL_BASE, params)).toBe('current');
  });

  it('accepts a signature made without the port when the request URL carries :443', () => {
    const params = twilioStatusParams();
    const signature = oracleSignature(TWILIO_AUTH_TOKEN, URL_BASE, params);
    expect(matchFormSignature(sha1([TWILIO_AUTH_TOKEN]), signature, URL_BASE.replace('.com/', '.com:443/'), params)).toBe('current');
  });

  it('accepts the previous token during rotation and rejects an unrelated one', () => {
    const params = twilioStatusParams();
    const oldSignature = oracleSignature(TWILIO_OLD_AUTH_TOKEN, URL_BASE, params);
    expect(matchFormSignature(sha1([TWILIO_AUTH_TOKEN, TWILIO_OLD_AUTH_TOKEN]), oldSignature, URL_BASE, params)).toBe('previous');
    expect(matchFormSignature(sha1([TWILIO_AUTH_TOKEN]), oldSignature, URL_BASE, params)).toBe(undefined);
  });

  describe('rejects a request where exactly one thing changed', () => {
    const params = twilioStatusParams();
    const signature = oracleSignature(TWILIO_AUTH_TOKEN, URL_BASE, params);
    const alterations: Array<{ name: string; url: string; params: Array<[string, string]>; signature: string }> = [
      { name: 'the status', url: URL_BASE, params: params.map(([k, v]) => [k, k === 'MessageStatus' ? 'failed' : v]), signature },
      { name: 'an added parameter', url: URL_BASE, params: [...params, ['Extra', '1']], signature },
      { name: 'a removed parameter', url: URL_BASE, params: params.filter(([k]) => k !== 'To'), signature },
      { name: 'the host', url: URL_BASE.replace('abc123', 'abc124'), params, signature },
      { name: 'the scheme', url: URL_BASE.replace('https:', 'http:'), params, signature },
      { name: 'the path', url: `${URL_BASE}x`, params, signature },
      { name: 'an added query string', url: `${URL_BASE}?a=1`, params, signature },
      { name: 'one character of the signature', url: URL_BASE, params, signature: signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
      { name: 'a truncated signature', url: URL_BASE, params, signature: signature.slice(0, -2) },
      { name: 'an empty signature', url: URL_BASE, params, signature: '' },
    ];
    it.each(alterations)('$name', (altered) => {
      expect(matchFormSignature(sha1([TWILIO_AUTH_TOKEN]), altered.signature, altered.url, altered.params)).toBe(undefined);
    });
  });
});

describe('Function: matchJsonSignature', () => {
  const body = JSON.stringify({ MessageSid: 'SM' + '0'.repeat(32), MessageStatus: 'delivered', Body: PII.body });

  it('accepts what the twilio SDK validates with validateRequestWithBody', () => {
    const { url, signature } = signTwilioJson(TWILIO_AUTH_TOKEN, URL_BASE, body);
    expect(twilio.validateRequestWithBody(TWILIO_AUTH_TOKEN, signature, url, body)).toBe(true);
    expect(matchJsonSignature(sha1([TWILIO_AUTH_TOKEN]), signature, url, Buffer.from(body))).toBe('current');
  });

  it('rejects a body that differs by one byte from the signed hash', () => {
    const { url, signature } = signTwilioJson(TWILIO_AUTH_TOKEN, URL_BASE, body);
    expect(matchJsonSignature(sha1([TWILIO_AUTH_TOKEN]), signature, url, Buffer.from(body.replace('delivered', 'delivereD')))).toBe(undefined);
  });

  it('rejects a URL whose bodySHA256 was swapped for the hash of another body', () => {
    const { signature } = signTwilioJson(TWILIO_AUTH_TOKEN, URL_BASE, body);
    const other = signTwilioJson(TWILIO_AUTH_TOKEN, URL_BASE, '{}');
    expect(matchJsonSignature(sha1([TWILIO_AUTH_TOKEN]), signature, other.url, Buffer.from('{}'))).toBe(undefined);
  });
});
