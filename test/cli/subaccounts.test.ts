import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSubaccountsCli } from '../../cli/subaccounts-command';
import { syncSubaccounts } from '../../cli/subaccount-sync';
import { HttpTransportError } from '../../functions/core/runtime/errors';
import { listTwilioSubaccounts } from '../../functions/providers/twilio-subaccount-list';
import { ProviderSandbox, type SandboxCredentials } from '../../local/sandbox/provider-sandbox';
import { json, scriptedHttp } from '../support/fake-http';

const PARENT = 'AC' + 'e6'.repeat(16);
const SUB = (n: number) => 'AC' + n.toString(16).padStart(32, '0');

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), isTTY: false }, out, err };
}

describe('Function: syncSubaccounts', () => {
  const entry = { provider: 'twilio' as const, secretId: 'parent', subaccounts: [{ route: 'clinic-1', accountSid: SUB(1) }, { accountSid: SUB(0xabc) }, { accountSid: SUB(3) }] };

  it('appends the new active subaccounts, keeps every configured one, and reports the closed and unknown ones', () => {
    const sync = syncSubaccounts(entry, [
      { sid: SUB(1), status: 'active' },
      // Twilio's SIDs compared without regard to the case of their hex digits.
      { sid: 'AC' + SUB(0xabc).slice(2).toUpperCase(), status: 'closed' },
      { sid: SUB(4), status: 'active' },
      { sid: SUB(5), status: 'suspended' },
    ]);
    expect(sync.added).toEqual([SUB(4)]);
    expect(sync.notActive).toEqual([{ sid: SUB(0xabc), status: 'closed' }]);
    expect(sync.unknown).toEqual([SUB(3)]);
    expect(sync.entry.subaccounts).toEqual([...entry.subaccounts, { accountSid: SUB(4) }]);
  });
});

describe('Function: listTwilioSubaccounts', () => {
  const request = (http: ReturnType<typeof scriptedHttp>) => listTwilioSubaccounts({ http, origin: 'https://api.twilio.com', authorization: 'Basic x', parentSid: PARENT });

  it('follows next_page_uri and leaves out the parent and accounts another owns', async () => {
    const http = scriptedHttp((_request, index) => index === 0
      ? json(200, { accounts: [{ sid: PARENT, status: 'active', owner_account_sid: PARENT }, { sid: SUB(1), status: 'active', owner_account_sid: PARENT }], next_page_uri: '/2010-04-01/Accounts.json?PageSize=1000&Page=1&PageToken=PA1' })
      : json(200, { accounts: [{ sid: SUB(2), status: 'closed', owner_account_sid: PARENT }, { sid: SUB(3), status: 'active', owner_account_sid: 'AC' + 'ff'.repeat(16) }], next_page_uri: null }));
    expect(await request(http)).toEqual({ ok: true, subaccounts: [{ sid: SUB(1), status: 'active' }, { sid: SUB(2), status: 'closed' }] });
    expect(http.requests.map((r) => r.url)).toEqual([
      'https://api.twilio.com/2010-04-01/Accounts.json?PageSize=1000',
      'https://api.twilio.com/2010-04-01/Accounts.json?PageSize=1000&Page=1&PageToken=PA1',
    ]);
  });

  it.each([
    { name: 'a refusal', answer: () => json(401, { code: 20003 }), code: 'http-401' },
    { name: 'a timeout', answer: () => new HttpTransportError('timeout'), code: 'timeout' },
    { name: 'a body that is not a list', answer: () => json(200, { accounts: 'x' }), code: 'unparseable-response' },
    { name: 'a next page on another host (a list cut short is no list)', answer: () => json(200, { accounts: [], next_page_uri: 'https://elsewhere.example/2010-04-01/Accounts.json?Page=1' }), code: 'foreign-next-page' },
  ])('says why it could not list on $name', async ({ answer, code }) => {
    expect(await request(scriptedHttp(answer))).toEqual({ ok: false, code });
  });
});

describe('CLI: npm run subaccounts -- sync (against the sandbox\'s Accounts API)', () => {
  const credentials: SandboxCredentials = {
    twilio: { accountSid: PARENT, authToken: 'parent-token-for-the-sync-test' },
    signalwire: { projectId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', apiToken: 'unused' },
    carrierx: { token: 'unused' },
    vonage: { apiKey: 'unused00', apiSecret: 'unused-secret' },
  };
  const sandbox = new ProviderSandbox({ credentials });
  const dir = mkdtempSync(join(tmpdir(), 'redactor-subaccounts-cli-'));
  const file = join(dir, 'accounts.json');
  const fetchSecret = async () => JSON.stringify(credentials.twilio);
  let configured: string;
  let added: string;
  let closed: string;

  beforeAll(async () => {
    await sandbox.start();
    configured = sandbox.createTwilioSubaccount('configured').sid;
    added = sandbox.createTwilioSubaccount('new').sid;
    closed = sandbox.createTwilioSubaccount('closed').sid;
    sandbox.twilioSubaccount(closed)!.status = 'closed';
    writeFileSync(file, JSON.stringify([
      { route: 'other', provider: 'carrierx', secretId: 'cx' },
      { provider: 'twilio', secretId: 'parent', apiBaseUrl: sandbox.apiBaseUrl('twilio'), subaccounts: [{ route: 'clinic-1', accountSid: configured }, { accountSid: closed }] },
    ]));
  });
  afterAll(async () => {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports what Twilio lists that the file does not, changes nothing without --write, and never prints a token', async () => {
    const before = readFileSync(file, 'utf8');
    const { io, out, err } = captureIo();
    expect(await runSubaccountsCli(['sync', '--accounts', file], io, { fetchSecret })).toBe(0);
    expect(out).toEqual([
      'accounts[1] (parent): 2 configured, 3 at Twilio; 1 new active, 1 suspended or closed, 0 not under this parent\n',
      `  new        ${added}\n`,
      `  closed     ${closed}\n`,
      `run again with --write to add them to ${file}\n`,
    ]);
    expect(err).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    for (const sid of [configured, added, closed]) expect(out.join('')).not.toContain(sandbox.twilioSubaccount(sid)!.authToken);
  });

  it('appends the new active subaccount with --write, keeping every other entry and route', async () => {
    const { io } = captureIo();
    expect(await runSubaccountsCli(['sync', '--accounts', file, '--write'], io, { fetchSecret })).toBe(0);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
    expect(written[0]).toEqual({ route: 'other', provider: 'carrierx', secretId: 'cx' });
    expect(written[1]!.subaccounts).toEqual([{ route: 'clinic-1', accountSid: configured }, { accountSid: closed }, { accountSid: added }]);
  });

  it('exits 1 naming the entry when Twilio refuses the parent\'s credentials', async () => {
    const { io, err } = captureIo();
    expect(await runSubaccountsCli(['sync', '--accounts', file], io, { fetchSecret: async () => JSON.stringify({ ...credentials.twilio, authToken: 'wrong-token-xxxxxxxxxxxx' }) })).toBe(1);
    expect(err).toEqual(['accounts[1] (parent): Twilio\'s Accounts list could not be read (http-401)\n']);
  });

  it.each([
    { argv: [], problem: 'subaccounts: a command is required (sync)' },
    { argv: ['sync'], problem: 'subaccounts: --accounts FILE is required' },
  ])('refuses bad usage ($problem) with exit 2 and the usage', async ({ argv, problem }) => {
    const { io, err } = captureIo();
    expect(await runSubaccountsCli(argv, io, { fetchSecret })).toBe(2);
    expect(err.join('').split('\n')[0]).toBe(problem);
    expect(err.join('')).toContain('Bring the Twilio subaccounts of an accounts file up to date');
  });
});
