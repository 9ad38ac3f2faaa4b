import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../../functions/core/config/config';
import { requestLimitKeys } from '../../../functions/core/redaction/request-limit-keys';

const TWILIO_SID = 'AC' + 'a1'.repeat(16);
const SUB = 'AC' + '0a'.repeat(16);
const PROJECT = '3f6e9d2a-5c1b-4a8e-9f00-1234567890ab';

describe('Function: requestLimitKeys', () => {
  it.each([
    { name: 'a Twilio account, by its Account SID from the secret', provider: 'twilio', secret: { accountSid: TWILIO_SID, authToken: 'x' }, keys: [`twilio:${TWILIO_SID.toUpperCase()}`] },
    { name: 'SignalWire compat, by its project', provider: 'signalwire-compat', secret: { projectId: PROJECT, apiToken: 'x' }, keys: [`signalwire:${PROJECT}`] },
    { name: 'SignalWire REST, by the same project key as compat (one project, one limit)', provider: 'signalwire-rest', secret: { projectId: PROJECT.toUpperCase(), apiToken: 'x' }, keys: [`signalwire:${PROJECT}`] },
    { name: 'CarrierX, by its secret (it holds a token and no account id)', provider: 'carrierx', secret: { token: 'x' }, keys: ['carrierx:secret:sec/a'] },
    { name: 'a secret without the id field, by its secret', provider: 'twilio', secret: { authToken: 'x' }, keys: ['twilio:secret:sec/a'] },
  ] as const)('keys $name', ({ provider, secret, keys }) => {
    const [account] = parseAccounts([{ route: 'r', provider, secretId: 'sec/a' }]);
    expect(requestLimitKeys(account!, secret)).toEqual(keys);
  });

  it('keys a Twilio subaccount by its own SID, then by its parent\'s (the account whose credentials it uses)', () => {
    const [account] = parseAccounts([{ provider: 'twilio', secretId: 'parent', subaccounts: [{ accountSid: SUB }] }]);
    expect(requestLimitKeys(account!, { accountSid: TWILIO_SID, authToken: 'x' })).toEqual([`twilio:${SUB.toUpperCase()}`, `twilio:${TWILIO_SID.toUpperCase()}`]);
  });

  it('never puts a credential in a key', () => {
    const [account] = parseAccounts([{ route: 'r', provider: 'carrierx', secretId: 'sec/a' }]);
    expect(requestLimitKeys(account!, { token: 'carrierx-bearer-token-value' }).join()).not.toContain('carrierx-bearer-token-value');
  });
});
