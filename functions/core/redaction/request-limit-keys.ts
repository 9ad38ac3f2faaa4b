import type { Account } from '../config/config';

/**
 * The provider accounts one route's requests count against, as the redactor's request limits key
 * them, in the order their slots are taken (the narrowest first, so two routes never wait on each
 * other in opposite orders):
 *
 * - a Twilio subaccount (`subaccountSid`, from config): `twilio:<subaccountSid>`, then its parent's
 *   `twilio:<accountSid>`. Twilio counts its concurrency limit per account (error 20429, "your account
 *   is sending too many concurrent requests": https://www.twilio.com/docs/api/errors/20429), but does
 *   not document whether a request made with a parent's credentials on a subaccount's resources counts
 *   against the subaccount or the parent; holding both stays inside either.
 * - Twilio: `twilio:<accountSid>` from the secret.
 * - SignalWire, both APIs (one project, one limit): `signalwire:<projectId>` from the secret.
 * - Vonage, both APIs (one account, one API key): `vonage:<apiKey>` from the secret.
 * - CarrierX: its secret holds a bearer token and no account id, so the secret is the account:
 *   `carrierx:secret:<secretId>`.
 *
 * A secret without the field falls back to `<provider>:secret:<secretId>` (binding its client reports
 * the malformed field). Keys hold ids, never a token: they are not secret, and they are not logged.
 */
export function requestLimitKeys(account: Account, secret: unknown): readonly string[] {
  const field = (name: string): string | undefined => {
    const value = typeof secret === 'object' && secret !== null ? (secret as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const bySecret = `${account.provider}:secret:${account.secretId}`;
  switch (account.provider) {
    case 'twilio': {
      const own = field('accountSid');
      const credentials = own === undefined ? bySecret : `twilio:${own.toUpperCase()}`;
      if (account.subaccountSid === undefined) return [credentials];
      return [`twilio:${account.subaccountSid.toUpperCase()}`, credentials];
    }
    case 'signalwire-compat':
    case 'signalwire-rest': {
      const project = field('projectId');
      return [project === undefined ? bySecret : `signalwire:${project.toLowerCase()}`];
    }
    case 'vonage-sms':
    case 'vonage-messages': {
      const apiKey = field('apiKey');
      return [apiKey === undefined ? bySecret : `vonage:${apiKey.toLowerCase()}`];
    }
    case 'carrierx':
      return [bySecret];
  }
}
