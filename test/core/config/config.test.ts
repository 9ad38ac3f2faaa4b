import { describe, expect, it } from 'vitest';
import { parseAccounts, parseAccountsJson } from '../../../functions/core/config/config';
import { ConfigError } from '../../../functions/core/runtime/errors';
import { twilioAccount } from '../../support/twilio-fixtures';

describe('Function: parseAccounts', () => {
  it('resolves defaults: provider terminal set, no delay, media kept', () => {
    const [account] = parseAccounts([twilioAccount()]);
    expect(account).toEqual({
      entryPath: 'accounts[0]',
      route: twilioAccount().route,
      provider: 'twilio',
      secretId: twilioAccount().secretId,
      terminalStatuses: new Set(['delivered', 'undelivered', 'failed', 'read', 'canceled', 'received']),
      redactAfterSeconds: 0,
      sentAgeSeconds: 0,
      deleteMedia: false,
      attemptBodyUpdate: false,
      maxConcurrentRequests: 50,
    });
  });

  it('keeps a separate signing secret, which the receiver reads instead of secretId', () => {
    const [account] = parseAccounts([twilioAccount({ signingSecretId: 'message-redactor/twilio-signing' })]);
    expect(account).toMatchObject({ secretId: twilioAccount().secretId, signingSecretId: 'message-redactor/twilio-signing' });
  });

  it.each([
    { provider: 'twilio', limit: 50 },
    { provider: 'signalwire-compat', limit: 20 },
    { provider: 'signalwire-rest', limit: 20 },
    { provider: 'carrierx', limit: 10 },
    { provider: 'vonage-sms', limit: 20 },
    { provider: 'vonage-messages', limit: 20 },
  ] as const)('gives $provider accounts a default limit of $limit concurrent requests', ({ provider, limit }) => {
    expect(parseAccounts([twilioAccount({ provider })])[0]!.maxConcurrentRequests).toBe(limit);
  });

  it('keeps a Vonage body an hour by default, when the Redact API first accepts it, unless the account says otherwise', () => {
    const [sms, messages, own] = parseAccounts([
      twilioAccount({ route: 'vs', provider: 'vonage-sms', secretId: 'vonage' }),
      twilioAccount({ route: 'vm', provider: 'vonage-messages', secretId: 'vonage' }),
      twilioAccount({ route: 'v2', provider: 'vonage-sms', secretId: 'vonage-2', redactAfterSeconds: 0 }),
    ]);
    expect([sms!.redactAfterSeconds, messages!.redactAfterSeconds, own!.redactAfterSeconds]).toEqual([3600, 3600, 0]);
    // Routes of one Vonage account agree on it: the default counts as 3600, not as unset.
    expect(() => parseAccounts([
      twilioAccount({ route: 'vs', provider: 'vonage-sms', secretId: 'vonage' }),
      twilioAccount({ route: 'vm', provider: 'vonage-messages', secretId: 'vonage', redactAfterSeconds: 0 }),
    ])).toThrow(/redactAfterSeconds\/sentAgeSeconds 3600\/0 and 0\/0/);
  });

  it('takes an account\'s own limit of concurrent requests', () => {
    expect(parseAccounts([twilioAccount({ maxConcurrentRequests: 100 })])[0]!.maxConcurrentRequests).toBe(100);
  });

  it('lets the routes of one provider account (one secretId) share a limit they agree on', () => {
    const accounts = parseAccounts([
      twilioAccount({ route: 'sw-compat', provider: 'signalwire-compat', secretId: 'sw' }),
      twilioAccount({ route: 'sw-rest', provider: 'signalwire-rest', secretId: 'sw' }),
    ]);
    expect(accounts.map((a) => a.maxConcurrentRequests)).toEqual([20, 20]);
  });

  it('lets an account narrow the terminal statuses', () => {
    const [account] = parseAccounts([twilioAccount({ terminalStatuses: ['delivered'] })]);
    expect([...account!.terminalStatuses]).toEqual(['delivered']);
  });

  const invalid: Array<{ name: string; input: unknown; message: string }> = [
    { name: 'an empty list', input: [], message: 'invalid accounts config: accounts: at least one account is required' },
    { name: 'a non-array', input: { route: 'x' }, message: 'invalid accounts config: accounts: expected array' },
    {
      name: 'an unknown provider',
      input: [twilioAccount({ provider: 'nexmo' as never })],
      message: 'accounts[0].provider: expected one of "twilio", "signalwire-compat", "signalwire-rest", "carrierx"',
    },
    { name: 'a route with a slash', input: [twilioAccount({ route: 'a/b' })], message: 'accounts[0].route: route must be 1-128 characters of A-Z a-z 0-9 _ -' },
    { name: 'a missing secretId', input: [{ route: 'r', provider: 'twilio' }], message: 'accounts[0].secretId: expected string' },
    { name: 'an empty signingSecretId', input: [twilioAccount({ signingSecretId: '' })], message: 'accounts[0].signingSecretId: signingSecretId must not be empty' },
    { name: 'an unknown key', input: [twilioAccount({ secretID: 'x' } as never)], message: 'accounts[0]: unknown key(s) secretID' },
    { name: 'a plain-http public URL', input: [twilioAccount({ publicUrl: 'http://hooks.example.com/cb' })], message: 'accounts[0].publicUrl: publicUrl must be an absolute https:// URL' },
    { name: 'a public URL with a query string', input: [twilioAccount({ publicUrl: 'https://hooks.example.com/cb?tenant=a' })], message: 'accounts[0].publicUrl: publicUrl must be an absolute https:// URL without query or fragment' },
    { name: 'a negative delay', input: [twilioAccount({ redactAfterSeconds: -1 })], message: 'accounts[0].redactAfterSeconds: too small (minimum 0)' },
    { name: 'a retention beyond 400 days', input: [twilioAccount({ redactAfterSeconds: 34_560_001 })], message: 'accounts[0].redactAfterSeconds: too big (maximum 34560000)' },
    {
      name: 'a duplicate route',
      input: [twilioAccount(), twilioAccount({ secretId: 'other' })],
      message: 'accounts[1].route: duplicate route',
    },
    {
      name: 'media deletion where the provider has no endpoint for it',
      input: [twilioAccount({ provider: 'carrierx', deleteMedia: true })],
      message: 'accounts[0].deleteMedia: carrierx documents no media delete endpoint',
    },
    {
      name: 'a sent age rule where sent is already terminal',
      input: [twilioAccount({ terminalStatuses: ['delivered', 'sent'], sentAgeSeconds: 86_400 })],
      message: 'accounts[0].sentAgeSeconds: sent is already a terminal status for this account',
    },
    {
      name: 'a sent age rule on a provider whose adapter waits for a terminal status',
      input: [twilioAccount({ provider: 'carrierx', sentAgeSeconds: 86_400 })],
      message: 'accounts[0].sentAgeSeconds: carrierx redacts only once the provider reports a terminal status, so a message still at sent would be retried until gave-up',
    },
    {
      name: 'a sent age under an hour',
      input: [twilioAccount({ sentAgeSeconds: 60 })],
      message: 'accounts[0].sentAgeSeconds: too small (minimum 3600)',
    },
    {
      name: 'a CarrierX-only option on another provider',
      input: [twilioAccount({ attemptBodyUpdate: true })],
      message: 'accounts[0].attemptBodyUpdate: only applies to carrierx accounts',
    },
    {
      name: 'a limit of no concurrent requests',
      input: [twilioAccount({ maxConcurrentRequests: 0 })],
      message: 'accounts[0].maxConcurrentRequests: too small (minimum 1)',
    },
    {
      name: 'two routes of one secretId with different request limits',
      input: [
        twilioAccount({ route: 'sw-compat', provider: 'signalwire-compat', secretId: 'sw' }),
        twilioAccount({ route: 'sw-rest', provider: 'signalwire-rest', secretId: 'sw', maxConcurrentRequests: 40 }),
      ],
      message: 'accounts[1].maxConcurrentRequests: routes with secretId sw share one provider account and one limit, but ask for 20 and 40',
    },
    {
      name: 'two routes of one message log with different retentions (one route\'s sweep would redact the other\'s messages early)',
      input: [
        twilioAccount({ route: 'sw-compat', provider: 'signalwire-compat', secretId: 'sw', redactAfterSeconds: 86_400 }),
        twilioAccount({ route: 'sw-rest', provider: 'signalwire-rest', secretId: 'sw' }),
      ],
      message: 'accounts[1].redactAfterSeconds: routes with secretId sw share one provider message log, so they must keep bodies equally long (redactAfterSeconds/sentAgeSeconds 86400/0 and 0/0)',
    },
    {
      name: 'a terminal status the provider does not have',
      input: [twilioAccount({ terminalStatuses: ['delivered', 'deliverd'] })],
      message: 'accounts[0].terminalStatuses: unknown twilio status(es) deliverd',
    },
  ];

  it.each(invalid)('rejects $name with a ConfigError naming the key', ({ input, message }) => {
    expect(() => parseAccounts(input)).toThrow(ConfigError);
    expect(() => parseAccounts(input)).toThrow(message);
  });

  it('allows http:// only for loopback API origins (local sandbox)', () => {
    expect(parseAccounts([twilioAccount({ apiBaseUrl: 'http://127.0.0.1:4010' })])[0]!.apiBaseUrl).toBe('http://127.0.0.1:4010');
    expect(() => parseAccounts([twilioAccount({ apiBaseUrl: 'http://api.example.com' })])).toThrow('accounts[0].apiBaseUrl');
  });
});

describe('Function: parseAccountsJson', () => {
  it('names the variable when it is unset', () => {
    expect(() => parseAccountsJson(undefined, 'REDACTOR_ACCOUNTS')).toThrow('REDACTOR_ACCOUNTS is not set');
  });

  it('names the variable when it is not JSON', () => {
    expect(() => parseAccountsJson('[{', 'REDACTOR_ACCOUNTS')).toThrow('REDACTOR_ACCOUNTS is not valid JSON');
  });
});

describe('Function: parseAccounts (apiBaseUrl)', () => {
  it('drops trailing slashes, so API paths never start with //', () => {
    const [account] = parseAccounts([twilioAccount({ apiBaseUrl: 'https://api.example.test/base//' })]);
    expect(account!.apiBaseUrl).toBe('https://api.example.test/base');
  });
});

describe('Function: parseAccounts (Twilio subaccounts under one parent)', () => {
  const SUB_A = 'AC' + '0a'.repeat(16);
  const SUB_B = 'AC' + '0b'.repeat(16);
  const parent = (overrides: Record<string, unknown> = {}) => ({
    provider: 'twilio',
    secretId: 'message-redactor/twilio-parent',
    subaccounts: [{ route: 'clinic-a', accountSid: SUB_A }, { accountSid: SUB_B }],
    ...overrides,
  });

  it('lays out each subaccount as an account of its own, under the parent\'s secret, its route defaulting to its Account SID', () => {
    const accounts = parseAccounts([parent({ redactAfterSeconds: 3_600 })]);
    expect(accounts.map((a) => [a.route, a.secretId, a.subaccountSid, a.redactAfterSeconds, a.maxConcurrentRequests])).toEqual([
      ['clinic-a', 'message-redactor/twilio-parent', SUB_A, 3_600, 50],
      [SUB_B, 'message-redactor/twilio-parent', SUB_B, 3_600, 50],
    ]);
  });

  it('gives the parent a route of its own only when one is named, without a subaccount SID', () => {
    const accounts = parseAccounts([parent({ route: 'main' })]);
    expect(accounts.map((a) => a.route)).toEqual(['main', 'clinic-a', SUB_B]);
    expect(accounts[0]!.subaccountSid).toBeUndefined();
  });

  it('gives each route the public URL base plus its route, for custom domains', () => {
    const accounts = parseAccounts([parent({ route: 'main', publicUrlBase: 'https://hooks.example.com/callbacks/' })]);
    expect(accounts.map((a) => a.publicUrl)).toEqual([
      'https://hooks.example.com/callbacks/main',
      'https://hooks.example.com/callbacks/clinic-a',
      `https://hooks.example.com/callbacks/${SUB_B}`,
    ]);
  });

  it('takes 10,000 subaccounts in one entry', () => {
    const subaccounts = Array.from({ length: 10_000 }, (_, i) => ({ accountSid: 'AC' + i.toString(16).padStart(32, '0') }));
    expect(parseAccounts([parent({ subaccounts })])).toHaveLength(10_000);
  });

  const invalid: Array<{ name: string; input: unknown; message: string }> = [
    { name: 'an empty subaccount list', input: [parent({ subaccounts: [] })], message: 'invalid accounts config: accounts[0].subaccounts: subaccounts must not be empty' },
    { name: 'a malformed subaccount SID', input: [parent({ subaccounts: [{ accountSid: 'AC123' }] })], message: 'accounts[0].subaccounts[0].accountSid: accountSid must be AC followed by 32 hex digits' },
    { name: 'a bad subaccount route', input: [parent({ subaccounts: [{ accountSid: SUB_A, route: 'a b' }] })], message: 'accounts[0].subaccounts[0].route: route must be 1-128 characters' },
    { name: 'another provider', input: [parent({ provider: 'signalwire-compat' })], message: 'accounts[0].provider: expected one of "twilio"' },
    { name: 'a public URL base without its trailing slash', input: [parent({ publicUrlBase: 'https://hooks.example.com/callbacks' })], message: 'accounts[0].publicUrlBase: publicUrlBase must end with /' },
    { name: 'a publicUrl (each subaccount has its own callback URL)', input: [parent({ publicUrl: 'https://hooks.example.com/cb' })], message: 'accounts[0]: unknown key(s) publicUrl' },
    { name: 'a signingSecretId (the receiver needs the parent\'s credentials to fetch each subaccount\'s token)', input: [parent({ signingSecretId: 'x' })], message: 'accounts[0]: unknown key(s) signingSecretId' },
    { name: 'an unknown key on a subaccount', input: [parent({ subaccounts: [{ accountSid: SUB_A, authToken: 'x' }] })], message: 'accounts[0].subaccounts[0]: unknown key(s) authToken' },
    { name: 'a subaccount listed twice', input: [parent({ subaccounts: [{ accountSid: SUB_A }, { accountSid: SUB_A.toUpperCase().replace('AC', 'AC'), route: 'again' }] })], message: 'accounts[0].subaccounts[1].accountSid: duplicate subaccount' },
    { name: 'a subaccount route that another entry uses', input: [twilioAccount({ route: 'clinic-a' }), parent()], message: 'accounts[1].subaccounts[0].route: duplicate route' },
    { name: 'an option the provider cannot act on, reported once for all subaccounts', input: [parent({ sentAgeSeconds: 60 })], message: 'invalid accounts config: accounts[0].sentAgeSeconds: too small (minimum 3600)' },
  ];

  it.each(invalid)('rejects $name with a ConfigError naming the key', ({ input, message }) => {
    expect(() => parseAccounts(input)).toThrow(ConfigError);
    expect(() => parseAccounts(input)).toThrow(message);
  });

  it('reports a problem shared by every subaccount once', () => {
    expect(() => parseAccounts([parent({ terminalStatuses: ['deliverd'] })])).toThrow(
      new ConfigError('invalid accounts config: accounts[0].terminalStatuses: unknown twilio status(es) deliverd'),
    );
  });
});
