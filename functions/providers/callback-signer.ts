import type { ProviderName } from '../core/provider-rules/provider-name';
import { parseSignalWireSigningKeys } from './signalwire-secret';
import { parseTwilioSecret } from './twilio';
import { parseVonageSigningKeys } from './vonage-secret';
import type { CallbackSigningSecrets } from './callback-builder';

/** What signs one provider's callbacks, read from the account's signing secret (or its API secret). */
export interface CallbackSigner {
  readonly secrets: CallbackSigningSecrets;
  /** Extra headers the endpoint expects (CarrierX's optional Basic credentials). */
  readonly headers: Readonly<Record<string, string>>;
}

// The builder takes every provider's secrets; a trigger signs for one provider and never reads the others.
const UNUSED: CallbackSigningSecrets = {
  twilio: { accountSid: '', authToken: '' },
  signalwire: { projectId: '', signingKey: '' },
  carrierx: { callbackToken: '' },
  vonage: { apiKey: '', signatureSecret: '' },
};

/**
 * Reads the signing keys from a secret in the shape Secrets Manager holds it (a signing secret or the
 * full API secret). Throws naming the secret and the missing field, never quoting a value.
 */
export function callbackSignerFromSecret(provider: ProviderName, secret: unknown, secretId: string): CallbackSigner {
  switch (provider) {
    case 'twilio': {
      const { accountSid, authToken } = parseTwilioSecret(secret, secretId);
      // A SharedKey-only secret cannot sign the classic X-Twilio-Signature a trigger sends.
      if (authToken === undefined) throw new Error(`secret ${secretId} has no authToken, which signs Twilio's status callbacks`);
      return { secrets: { ...UNUSED, twilio: { accountSid, authToken } }, headers: {} };
    }
    case 'signalwire-compat':
    case 'signalwire-rest': {
      const { projectId, signingKeys } = parseSignalWireSigningKeys(secret, secretId);
      return { secrets: { ...UNUSED, signalwire: { projectId, signingKey: signingKeys[0]! } }, headers: {} };
    }
    case 'carrierx': {
      const { callbackToken, callbackBasicAuth } = (secret ?? {}) as { callbackToken?: unknown; callbackBasicAuth?: { username?: unknown; password?: unknown } };
      if (typeof callbackToken !== 'string' || callbackToken === '') throw new Error(`secret ${secretId} has no callbackToken, which authenticates CarrierX callbacks`);
      const basic: Record<string, string> =
        typeof callbackBasicAuth?.username === 'string' && typeof callbackBasicAuth.password === 'string'
          ? { authorization: `Basic ${Buffer.from(`${callbackBasicAuth.username}:${callbackBasicAuth.password}`).toString('base64')}` }
          : {};
      return { secrets: { ...UNUSED, carrierx: { callbackToken } }, headers: basic };
    }
    case 'vonage-sms':
    case 'vonage-messages': {
      // Signs with the current signature secret (never the previous one) and the SMS API's method.
      const { apiKey, method, secrets } = parseVonageSigningKeys(secret, secretId);
      return { secrets: { ...UNUSED, vonage: { apiKey, signatureSecret: secrets[0]!, signatureMethod: method } }, headers: {} };
    }
  }
}
