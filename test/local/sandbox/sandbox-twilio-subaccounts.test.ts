import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderSandbox, type SandboxCredentials } from '../../../local/sandbox/provider-sandbox';

/**
 * Twilio subaccounts in the sandbox, with the official `twilio` client as the oracle: the Accounts
 * resource (create, list, fetch with `auth_token`, update) and a parent's credentials on a
 * subaccount's messages, as https://www.twilio.com/docs/iam/api/subaccounts describes them.
 */
const CREDENTIALS: SandboxCredentials = {
  twilio: { accountSid: 'AC' + 'd5'.repeat(16), authToken: 'twilio-parent-official-client-token' },
  signalwire: { projectId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', apiToken: 'PT-unused' },
  carrierx: { token: 'carrierx-unused' },
  vonage: { apiKey: 'unused00', apiSecret: 'unused-secret' },
};
const ACCOUNT_FIELDS = ['auth_token', 'date_created', 'date_updated', 'friendly_name', 'owner_account_sid', 'sid', 'status', 'subresource_uris', 'type', 'uri'];

describe('Provider sandbox: Twilio subaccounts with the official twilio client', () => {
  const sandbox = new ProviderSandbox({ credentials: CREDENTIALS, seed: 7 });
  const client = (sid = CREDENTIALS.twilio.accountSid, token = CREDENTIALS.twilio.authToken, options: twilio.ClientOpts = {}) => {
    const c = twilio(sid, token, options);
    c.api.baseUrl = sandbox.apiBaseUrl('twilio');
    return c;
  };

  beforeAll(() => sandbox.start());
  afterAll(() => sandbox.stop());

  it('creates a subaccount with its own SID and auth token, owned by the parent, in Twilio\'s resource format', async () => {
    const created = await client().api.v2010.accounts.create({ friendlyName: 'Clinic 17' });
    expect(created).toMatchObject({ friendlyName: 'Clinic 17', ownerAccountSid: CREDENTIALS.twilio.accountSid, status: 'active', type: 'Full' });
    expect(created.sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(created.authToken).toMatch(/^[0-9a-f]{32}$/);
    const raw = await fetch(`${sandbox.apiBaseUrl('twilio')}/2010-04-01/Accounts/${created.sid}.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${CREDENTIALS.twilio.accountSid}:${CREDENTIALS.twilio.authToken}`).toString('base64')}` },
    });
    expect(Object.keys((await raw.json()) as object).sort()).toEqual(ACCOUNT_FIELDS);
  });

  it('lists the parent and its subaccounts, and fetches a subaccount with its auth_token', async () => {
    const created = await client().api.v2010.accounts.create({ friendlyName: 'Clinic 18' });
    const listed = await client().api.v2010.accounts.list();
    expect(listed[0]!.sid).toBe(CREDENTIALS.twilio.accountSid);
    expect(listed.map((a) => a.sid)).toContain(created.sid);
    expect((await client().api.v2010.accounts.list({ friendlyName: 'Clinic 18' })).map((a) => a.sid)).toEqual([created.sid]);
    const fetched = await client().api.v2010.accounts(created.sid).fetch();
    expect(fetched).toMatchObject({ sid: created.sid, authToken: created.authToken, ownerAccountSid: CREDENTIALS.twilio.accountSid });
    const closed = await client().api.v2010.accounts(created.sid).update({ status: 'closed' });
    expect(closed.status).toBe('closed');
  });

  it('lets the parent\'s credentials create, list, fetch and redact a subaccount\'s messages under its SID', async () => {
    const sub = await client().api.v2010.accounts.create({ friendlyName: 'Clinic 19' });
    // As Twilio's docs suggest: the parent's SID and token, with the subaccount's SID as the account.
    const asParent = client(CREDENTIALS.twilio.accountSid, CREDENTIALS.twilio.authToken, { accountSid: sub.sid });
    const sent = await asParent.messages.create({ to: '+14155550100', from: '+15005550006', body: 'Your results are ready' });
    expect(sent.accountSid).toBe(sub.sid);
    sandbox.messages.get(sent.sid)!.status = 'delivered';
    expect((await client().api.v2010.accounts(sub.sid).messages.list()).map((m) => m.sid)).toEqual([sent.sid]);
    // Not in the parent's own list, and not found under the parent's own account.
    expect((await client().messages.list()).map((m) => m.sid)).not.toContain(sent.sid);
    await expect(client().messages(sent.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    const redacted = await client().api.v2010.accounts(sub.sid).messages(sent.sid).update({ body: '' });
    expect(redacted.body).toBe('');
  });

  it('lets a subaccount\'s own credentials reach its resources only', async () => {
    const own = await client().api.v2010.accounts.create({ friendlyName: 'Clinic 20' });
    const other = await client().api.v2010.accounts.create({ friendlyName: 'Clinic 21' });
    const asOwn = client(own.sid, own.authToken);
    const sent = await asOwn.messages.create({ to: '+14155550100', from: '+15005550006', body: 'hello' });
    expect((await asOwn.messages(sent.sid).fetch()).accountSid).toBe(own.sid);
    await expect(asOwn.api.v2010.accounts(other.sid).messages.list()).rejects.toMatchObject({ status: 401 });
    await expect(asOwn.api.v2010.accounts(CREDENTIALS.twilio.accountSid).messages.list()).rejects.toMatchObject({ status: 401 });
    await expect(asOwn.api.v2010.accounts.create({ friendlyName: 'nested' })).rejects.toMatchObject({ status: 401 });
  });
});
