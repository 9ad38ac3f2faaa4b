import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../../functions/core/runtime/errors';
import { verifiedCallback } from '../../../functions/core/callbacks/verified-callback';
import { captureError } from '../../support/provider-fixtures';

const OURS = 'AC' + 'a'.repeat(32);
const accountField = { name: 'AccountSid', isWellFormed: (value: string) => /^AC[0-9a-f]{32}$/.test(value) };

describe('Function: verifiedCallback', () => {
  it('returns the verified fields with the credentials’ account when the callback names the same one', () => {
    const fields = { AccountSid: OURS, MessageStatus: 'delivered' };
    expect(verifiedCallback({ fields, providerAccount: OURS, accountField, keyGeneration: 'previous' })).toEqual({ fields, providerAccount: OURS, keyGeneration: 'previous' });
  });

  it('refuses a callback for another well-formed account with 403', () => {
    const error = captureError(() => verifiedCallback({ fields: { AccountSid: 'AC' + 'b'.repeat(32) }, providerAccount: OURS, accountField, keyGeneration: 'current' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ httpStatus: 403, message: 'callback is for a different provider account than this route' });
  });

  it.each([
    { name: 'a missing account field', fields: {} },
    { name: 'a malformed account id (the parser answers 400)', fields: { AccountSid: 'not-an-account' } },
    { name: 'an account id that is not text', fields: { AccountSid: 42 } },
  ])('leaves $name to the parser', ({ fields }) => {
    expect(verifiedCallback({ fields, providerAccount: OURS, accountField, keyGeneration: 'current' })).toEqual({ fields, providerAccount: OURS, keyGeneration: 'current' });
  });

  it('carries no provider account when the credentials name none (CarrierX)', () => {
    expect(verifiedCallback({ fields: { partner_sid: 'x' }, keyGeneration: 'current' })).toEqual({ fields: { partner_sid: 'x' }, keyGeneration: 'current' });
  });
});
