import { describe, expect, it } from 'vitest';
import { accountsFromEnv } from '../../../functions/core/config/accounts-source';
import { twilioAccount } from '../../support/twilio-fixtures';

const FILE = '/opt/message-redactor/accounts.json';

describe('Function: accountsFromEnv', () => {
  const files = (content: Record<string, string>) => (file: string) => {
    if (!(file in content)) throw Object.assign(new Error(`ENOENT: no such file, open '${file}'`), { code: 'ENOENT' });
    return content[file]!;
  };

  it('reads the accounts from the file REDACTOR_ACCOUNTS_FILE names (the deployed layer)', () => {
    const accounts = accountsFromEnv({ REDACTOR_ACCOUNTS_FILE: FILE }, files({ [FILE]: JSON.stringify([twilioAccount()]) }));
    expect(accounts.map((account) => [account.route, account.provider, account.secretId])).toEqual([[twilioAccount().route, 'twilio', twilioAccount().secretId]]);
  });

  it('reads them inline from REDACTOR_ACCOUNTS (the local stack)', () => {
    expect(accountsFromEnv({ REDACTOR_ACCOUNTS: JSON.stringify([twilioAccount()]) }, files({}))).toHaveLength(1);
  });

  it('names the file when it is missing, not JSON or not a valid config', () => {
    expect(() => accountsFromEnv({ REDACTOR_ACCOUNTS_FILE: FILE }, files({}))).toThrow(`REDACTOR_ACCOUNTS_FILE (${FILE}) cannot be read`);
    expect(() => accountsFromEnv({ REDACTOR_ACCOUNTS_FILE: FILE }, files({ [FILE]: '[{' }))).toThrow(`REDACTOR_ACCOUNTS_FILE (${FILE}) is not valid JSON`);
    expect(() => accountsFromEnv({ REDACTOR_ACCOUNTS_FILE: FILE }, files({ [FILE]: JSON.stringify([twilioAccount(), twilioAccount()]) }))).toThrow('accounts[1].route: duplicate route');
  });

  it('refuses both sources at once, and neither', () => {
    const both = { REDACTOR_ACCOUNTS_FILE: FILE, REDACTOR_ACCOUNTS: '[]' };
    expect(() => accountsFromEnv(both, files({ [FILE]: '[]' }))).toThrow('set REDACTOR_ACCOUNTS_FILE or REDACTOR_ACCOUNTS, not both');
    expect(() => accountsFromEnv({}, files({}))).toThrow('neither REDACTOR_ACCOUNTS_FILE nor REDACTOR_ACCOUNTS is set');
  });
});
