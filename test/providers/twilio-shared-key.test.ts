import { verifiedBy } from '../support/verified-callback';
import fc from 'fast-check';
import twilio from 'twilio';
import { getSignatureAlgorithm } from 'twilio/lib/webhooks/webhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallbackRequest } from '../../functions/core/callbacks/callback-request';
import { AuthenticationError, SecretShapeError } from '../../functions/core/runtime/errors';
import { signatureSettingsAlgorithm, twilioCallbacks, twilioRedaction } from '../../functions/providers/twilio';
import { captureError, formCallbackRequest } from '../support/provider-fixtures';
import { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_OLD_AUTH_TOKEN, twilioSecret, twilioStatusParams } from '../support/twilio-fixtures';

/*
 * Twilio's SharedKey webhooks (Webhooks configuration API, public beta): signed with a key the account
 * creates instead of the auth token, with the algorithm named in X-Twilio-Webhooks-Signature-Settings.
 * twilio-node 6.3.1 is the oracle: its webhook() middleware picks the SharedKey secret when the header
 * is present and the header's algorithm (getSignatureAlgorithm), then calls validateRequest.
 */

const URL = 'https://hooks.example.com/callbacks/r1';
const SHARED_KEY = 'shk_' + 'q7'.repeat(16);
const OLD_SHARED_KEY = 'shk_' + 'o2'.repeat(16);
const SETTINGS = 'x-twilio-webhooks-signature-settings';
const UNSUPPORTED = 'X-Twilio-Webhooks-Signature-Settings names an unsupported algorithm (supported: HMAC_SHA1, HMAC_SHA256)';
const MISMATCH = "X-Twilio-Signature does not match (check the account's publicUrl and signing secret)";

function formRequest(params: Array<[string, string]>, signature: string, settings?: string): CallbackRequest {
  return formCallbackRequest(URL, params, { 'x-twilio-signature': signature, ...(settings === undefined ? {} : { [SETTINGS]: settings }) });
}

/** The signature Twilio sends, computed by twilio-node. */
function oracleSign(key: string, params: Array<[string, string]>, algorithm: string, url = URL): string {
  return twilio.getExpectedTwilioSignature(key, url, Object.fromEntries(params), algorithm);
}

/** What twilio-node's webhook() middleware decides for these headers, trying each key generation. */
function oracleAccepts(params: Array<[string, string]>, signature: string, settings: string | undefined, keys: { authTokens: string[]; sharedKeys: string[] }): boolean {
  const secrets = settings ? keys.sharedKeys : keys.authTokens;
  const algorithm = getSignatureAlgorithm(settings);
  return secrets.some((secret) => twilio.validateRequest(secret, signature, URL, Object.fromEntries(params), algorithm));
}

const verifier = twilioCallbacks.bindVerifier(
  twilioSecret({ previousAuthToken: TWILIO_OLD_AUTH_TOKEN, sharedKeySecret: SHARED_KEY, previousSharedKeySecret: OLD_SHARED_KEY }),
  'sec',
);

beforeEach(() => {
  // twilio-node warns on the console about unsupported algorithms; the assertions say what matters.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('Object: twilioCallbacks, SharedKey signatures (X-Twilio-Webhooks-Signature-Settings)', () => {
  it.each([
    { algorithm: 'HMAC_SHA256', key: SHARED_KEY },
    { algorithm: 'HMAC_SHA256', key: OLD_SHARED_KEY },
    { algorithm: 'HMAC_SHA1', key: SHARED_KEY },
    { algorithm: 'HMAC_SHA1', key: OLD_SHARED_KEY },
  ])('accepts $algorithm under the current and the previous SharedKey secret, as twilio-node does', ({ algorithm, key }) => {
    const params = twilioStatusParams();
    const settings = `key=webhooks_sharedkey_0001,algorithm=${algorithm}`;
    const signature = oracleSign(key, params, algorithm);
    expect(twilio.validateRequest(key, signature, URL, Object.fromEntries(params), getSignatureAlgorithm(settings))).toBe(true);
    expect(verifier.authenticate(formRequest(params, signature, settings))).toMatchObject({ providerAccount: TWILIO_ACCOUNT_SID });
  });

  it('accepts the JSON bodySHA256 variant signed with HMAC-SHA256', () => {
    const body = JSON.stringify({ AccountSid: TWILIO_ACCOUNT_SID, MessageSid: 'SM' + 'a'.repeat(32), MessageStatus: 'delivered' });
    const url = `${URL}?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
    const signature = twilio.getExpectedTwilioSignature(SHARED_KEY, url, {}, 'HMAC_SHA256');
    expect(twilio.validateRequestWithBody(SHARED_KEY, signature, url, body, 'HMAC_SHA256')).toBe(true);
    const request: CallbackRequest = {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signature, [SETTINGS]: 'key=k1,algorithm=HMAC_SHA256' },
      body: Buffer.from(body),
    };
    expect(twilioCallbacks.parseCallback(verifier.authenticate(request), 'r1')).toMatchObject({ status: 'delivered' });
  });

  it.each([
    { name: 'the auth token', key: TWILIO_AUTH_TOKEN, algorithm: 'HMAC_SHA256' },
    { name: 'HMAC-SHA1 when the header names HMAC-SHA256', key: SHARED_KEY, algorithm: 'HMAC_SHA1' },
    { name: 'an unrelated key', key: 'shk_' + 'z'.repeat(32), algorithm: 'HMAC_SHA256' },
  ])('refuses a SharedKey callback signed with $name (403)', ({ key, algorithm }) => {
    const params = twilioStatusParams();
    const settings = 'key=webhooks_sharedkey_0001,algorithm=HMAC_SHA256';
    const signature = oracleSign(key, params, algorithm);
    expect(oracleAccepts(params, signature, settings, { authTokens: [TWILIO_AUTH_TOKEN], sharedKeys: [SHARED_KEY, OLD_SHARED_KEY] })).toBe(false);
    const error = captureError(() => verifier.authenticate(formRequest(params, signature, settings)));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ httpStatus: 403, message: MISMATCH });
  });

  it.each(['HMAC_SHA512', 'sha-256', 'ed25519'])('refuses the unknown algorithm %s with 403, naming the problem', (algorithm) => {
    const params = twilioStatusParams();
    const settings = `key=webhooks_sharedkey_0001,algorithm=${algorithm}`;
    const signature = oracleSign(SHARED_KEY, params, 'HMAC_SHA256');
    expect(twilio.validateRequest(SHARED_KEY, signature, URL, Object.fromEntries(params), getSignatureAlgorithm(settings))).toBe(false);
    const error = captureError(() => verifier.authenticate(formRequest(params, signature, settings)));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ httpStatus: 403, message: UNSUPPORTED });
    expect((error as Error).message).not.toContain(algorithm);
  });

  it('answers 401 when the signature itself is missing, before reading the settings', () => {
    const request = formRequest(twilioStatusParams(), '', 'algorithm=HMAC_SHA512');
    expect(captureError(() => verifier.authenticate(request))).toMatchObject({ httpStatus: 401, message: 'missing X-Twilio-Signature header' });
  });

  it('refuses a SharedKey callback when the secret has no sharedKeySecret, saying so', () => {
    const authTokenOnly = twilioCallbacks.bindVerifier(twilioSecret(), 'sec');
    const params = twilioStatusParams();
    const error = captureError(() => authTokenOnly.authenticate(formRequest(params, oracleSign(SHARED_KEY, params, 'HMAC_SHA256'), 'algorithm=HMAC_SHA256')));
    expect(error).toMatchObject({
      httpStatus: 403,
      message: "X-Twilio-Webhooks-Signature-Settings announces a SharedKey signature, but the account's signing secret has no sharedKeySecret",
    });
  });

  it('treats an empty settings header as absent, as twilio-node does (auth token, HMAC-SHA1)', () => {
    const params = twilioStatusParams();
    const signature = oracleSign(TWILIO_AUTH_TOKEN, params, 'HMAC_SHA1');
    expect(oracleAccepts(params, signature, '', { authTokens: [TWILIO_AUTH_TOKEN], sharedKeys: [SHARED_KEY] })).toBe(true);
    expect(verifier.authenticate(formRequest(params, signature, ''))).toMatchObject(verifiedBy('current', { MessageSid: expect.stringMatching(/^SM/) }));
  });

  describe('a signing secret that holds only the SharedKey', () => {
    const signingSecret = { accountSid: TWILIO_ACCOUNT_SID, sharedKeySecret: SHARED_KEY };
    const sharedKeyOnly = twilioCallbacks.bindVerifier(signingSecret, 'signing');

    it('verifies SharedKey callbacks without holding any API credential', () => {
      const params = twilioStatusParams();
      expect(sharedKeyOnly.authenticate(formRequest(params, oracleSign(SHARED_KEY, params, 'HMAC_SHA256'), 'algorithm=HMAC_SHA256'))).toMatchObject(verifiedBy('current', { MessageSid: expect.stringMatching(/^SM/) }));
    });

    it('refuses an auth-token callback with 403, saying the secret has no authToken', () => {
      const params = twilioStatusParams();
      expect(captureError(() => sharedKeyOnly.authenticate(formRequest(params, oracleSign(TWILIO_AUTH_TOKEN, params, 'HMAC_SHA1'))))).toMatchObject({
        httpStatus: 403,
        message: "callback is signed with the auth token, but the account's signing secret has no authToken",
      });
    });

    it('cannot serve the redactor: it holds no API credential', () => {
      expect(captureError(() => twilioRedaction.bindClient(signingSecret, 'signing'))).toMatchObject({
        message: 'secret signing is malformed: authToken: required unless apiKeySid and apiKeySecret are given',
      });
    });
  });

  it('names what is missing when a secret has neither authToken nor sharedKeySecret', () => {
    const error = captureError(() => twilioCallbacks.bindVerifier({ accountSid: TWILIO_ACCOUNT_SID }, 'sec'));
    expect(error).toBeInstanceOf(SecretShapeError);
    expect(error).toMatchObject({ message: 'secret sec is malformed: authToken: required (or sharedKeySecret when every webhook is signed with a SharedKey)' });
  });
});

describe('Function: signatureSettingsAlgorithm', () => {
  it('reads the header exactly as twilio-node getSignatureAlgorithm does', () => {
    const part = fc.oneof(
      fc.constantFrom('HMAC_SHA256', 'hmac_sha256', 'HMAC_SHA1', 'Hmac_Sha1', '', ' HMAC_SHA256 ', 'HMAC_SHA512', 'SHA256').map((a) => `algorithm=${a}`),
      fc.constantFrom('key=webhooks_sharedkey_1', ' algorithm = HMAC_SHA256', 'Algorithm=HMAC_SHA256', 'algorithm', '=', 'x=y'),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), (parts) => {
        const header = parts.join(',');
        const official = getSignatureAlgorithm(header).toUpperCase();
        const expected = official === 'HMAC_SHA1' ? 'sha1' : official === 'HMAC_SHA256' ? 'sha256' : undefined;
        expect(signatureSettingsAlgorithm(header)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same verdict as the twilio-node middleware on random headers, keys and algorithms', () => {
    const keys = { authTokens: [TWILIO_AUTH_TOKEN, TWILIO_OLD_AUTH_TOKEN], sharedKeys: [SHARED_KEY, OLD_SHARED_KEY] };
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom('key=k1,algorithm=HMAC_SHA256', 'algorithm=hmac_sha1', 'key=k1', 'algorithm=HMAC_SHA512', ''), { nil: undefined }),
        fc.constantFrom(TWILIO_AUTH_TOKEN, TWILIO_OLD_AUTH_TOKEN, SHARED_KEY, OLD_SHARED_KEY),
        fc.constantFrom('HMAC_SHA1', 'HMAC_SHA256'),
        (settings, key, algorithm) => {
          const params = twilioStatusParams({ MessageSid: 'SM' + 'b'.repeat(32) });
          const signature = oracleSign(key, params, algorithm);
          let ours = true;
          try {
            verifier.authenticate(formRequest(params, signature, settings));
          } catch {
            ours = false;
          }
          expect(ours).toBe(oracleAccepts(params, signature, settings, keys));
        },
      ),
      { numRuns: 200 },
    );
  });
});
