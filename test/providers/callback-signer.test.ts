import { describe, expect, it } from 'vitest';
import { callbackSignerFromSecret } from '../../functions/providers/callback-signer';

const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const PROJECT_ID = '5f1c8a3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b';

describe('the signing keys npm run trigger reads from a secret', () => {
  it('Twilio: the account and its auth token', () => {
    expect(callbackSignerFromSecret('twilio', { accountSid: ACCOUNT_SID, authToken: 't'.repeat(32) }, 'prod/twilio').secrets.twilio).toEqual({
      accountSid: ACCOUNT_SID,
      authToken: 't'.repeat(32),
    });
  });

  it('Twilio: a SharedKey-only signing secret cannot sign the classic signature, and says so', () => {
    expect(() => callbackSignerFromSecret('twilio', { accountSid: ACCOUNT_SID, sharedKeySecret: 's'.repeat(32) }, 'prod/twilio-signing')).toThrow(
      new Error("secret prod/twilio-signing has no authToken, which signs Twilio's status callbacks"),
    );
  });

  it.each(['signalwire-compat', 'signalwire-rest'] as const)('%s: the current signing key, not the previous one', (provider) => {
    const signer = callbackSignerFromSecret(provider, { projectId: PROJECT_ID, signingKey: 'PSK_current', previousSigningKey: 'PSK_previous' }, 'prod/sw');
    expect(signer.secrets.signalwire).toEqual({ projectId: PROJECT_ID, signingKey: 'PSK_current' });
  });

  it('CarrierX: the callback token, and Basic credentials when the endpoint wants them', () => {
    const token = 'c'.repeat(32);
    expect(callbackSignerFromSecret('carrierx', { callbackToken: token }, 'prod/cx')).toEqual(
      expect.objectContaining({ headers: {}, secrets: expect.objectContaining({ carrierx: { callbackToken: token } }) }),
    );
    const withBasic = callbackSignerFromSecret('carrierx', { callbackToken: token, callbackBasicAuth: { username: 'u', password: 'p'.repeat(16) } }, 'prod/cx');
    expect(withBasic.headers).toEqual({ authorization: `Basic ${Buffer.from(`u:${'p'.repeat(16)}`).toString('base64')}` });
    expect(() => callbackSignerFromSecret('carrierx', { token: 'x' }, 'prod/cx')).toThrow(new Error('secret prod/cx has no callbackToken, which authenticates CarrierX callbacks'));
  });

  it('a malformed secret is named, and its values are not quoted', () => {
    let message = '';
    try {
      callbackSignerFromSecret('twilio', { accountSid: 'not-a-sid', authToken: 'hunter2hunter2hunter2' }, 'prod/twilio');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('prod/twilio');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('not-a-sid');
  });
});
