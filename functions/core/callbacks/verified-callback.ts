import { AuthenticationError } from '../runtime/errors';
import type { KeyGeneration } from './key-generation';

/**
 * What a verifier proved about a callback, as standard-webhooks' `verify()` returns the payload it
 * checked: the signed fields, parsed once from the authenticated bytes, and the provider account they
 * belong to. Parsing reads only this, never the raw request.
 */
export interface VerifiedCallback {
  /** The form parameters (first value of each key) or the JSON object, exactly as signed. */
  readonly fields: Readonly<Record<string, unknown>>;
  /**
   * The provider-side account of the credentials that verified the callback (Twilio `AccountSid`,
   * SignalWire project id); the callback names no other. Undefined where callbacks name none (CarrierX).
   */
  readonly providerAccount?: string;
  /** Which of the secret's keys verified it: the current one, or the previous one during a rotation. */
  readonly keyGeneration: KeyGeneration;
}

/** Where a provider's callbacks name the account, and what a well-formed account id looks like. */
export interface AccountField {
  readonly name: string;
  readonly isWellFormed: (value: string) => boolean;
}

/**
 * The result of a successful signature check. Refuses (403) a callback whose account field names
 * another account than the credentials' own: one signing key can serve several accounts (SignalWire's
 * compatibility and REST APIs share a project's key), and a job for another account's message would be
 * redacted with the wrong credentials. A missing or malformed field is left to the parser to report (400).
 */
export function verifiedCallback(input: {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly providerAccount?: string;
  readonly accountField?: AccountField;
  readonly keyGeneration: KeyGeneration;
}): VerifiedCallback {
  const { fields, providerAccount, accountField, keyGeneration } = input;
  const claimed = accountField === undefined ? undefined : fields[accountField.name];
  if (
    providerAccount !== undefined &&
    typeof claimed === 'string' &&
    accountField?.isWellFormed(claimed) === true &&
    claimed !== providerAccount
  ) {
    throw new AuthenticationError('callback is for a different provider account than this route');
  }
  return providerAccount === undefined ? { fields, keyGeneration } : { fields, providerAccount, keyGeneration };
}
