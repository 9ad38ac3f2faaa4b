import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { runTriggerCli } from '../../cli/trigger-command';
import { runCommand, startCommand, type RunningCommand } from '../support/cli-process';
import { captureIo } from '../support/cli-io';
import { closedPort } from '../support/closed-port';
import { waitFor } from '../support/wait-for';

interface LocalSecretsFile {
  'local/twilio': { accountSid: string; authToken: string };
  'local/signalwire': { projectId: string; apiToken: string };
  'local/carrierx': { token: string };
  'local/vonage': { apiKey: string; apiSecret: string };
}

/** `npm run trigger` against `npm start`, both as the processes a developer runs. */
describe('CLI: npm run trigger against npm start', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-trigger-'));
  const endpointsFile = join(stateDir, 'endpoints.json');
  let start: RunningCommand;
  let sandbox: string;
  let secrets: LocalSecretsFile;

  beforeAll(async () => {
    start = startCommand('local/start.ts', ['--no-demo', '--port', '0', '--sandbox-port', '0', '--sqs-port', '0', '--state-dir', stateDir]);
    await start.waitForOutput(/Serving callbacks until Ctrl-C/);
    sandbox = (JSON.parse(readFileSync(endpointsFile, 'utf8')) as { sandboxOrigin: string }).sandboxOrigin;
    secrets = JSON.parse(readFileSync(join(stateDir, 'secrets.json'), 'utf8')) as LocalSecretsFile;
  }, 90_000);

  afterAll(async () => {
    expect(await start.stop()).toBe(0);
    rmSync(stateDir, { recursive: true, force: true });
  });

  const trigger = (...args: string[]) => runCommand('cli/trigger.ts', [...args, '--endpoints', endpointsFile]);

  /** The message as the sandbox's own API answers it (the Twilio-shaped resource for SignalWire too). */
  async function fetchFromSandbox(provider: ProviderName, id: string): Promise<{ body: string }> {
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    const twilio = secrets['local/twilio'];
    const signalwire = secrets['local/signalwire'];
    if (provider === 'vonage-sms' || provider === 'vonage-messages') {
      // Vonage reads a record back through the Reports API only: the last day's records, with bodies.
      const vonage = secrets['local/vonage'];
      const query = new URLSearchParams({
        account_id: vonage.apiKey,
        product: provider === 'vonage-sms' ? 'SMS' : 'MESSAGES',
        direction: 'outbound',
        date_start: new Date(Date.now() - 3_600_000).toISOString(),
        date_end: new Date(Date.now() + 60_000).toISOString(),
        include_message: 'true',
      });
      const records = await fetch(`${sandbox}/vonage/v2/reports/records?${query}`, { headers: basic(vonage.apiKey, vonage.apiSecret) });
      expect(records.status).toBe(200);
      const record = ((await records.json()) as { records: Array<{ message_id: string; message_body: string }> }).records.find((r) => r.message_id === id);
      expect(record).toBeDefined();
      return { body: record!.message_body };
    }
    const response =
      provider === 'twilio'
        ? await fetch(`${sandbox}/twilio/2010-04-01/Accounts/${twilio.accountSid}/Messages/${id}.json`, { headers: basic(twilio.accountSid, twilio.authToken) })
        : provider === 'carrierx'
          ? await fetch(`${sandbox}/carrierx/core/v2/sms/messages/${id}`, { headers: { authorization: `Bearer ${secrets['local/carrierx'].token}` } })
          : await fetch(`${sandbox}/signalwire/api/laml/2010-04-01/Accounts/${signalwire.projectId}/Messages/${id}.json`, {
              headers: basic(signalwire.projectId, signalwire.apiToken),
            });
    expect(response.status).toBe(200);
    const resource = (await response.json()) as { body?: string; message?: string };
    return { body: resource.body ?? resource.message ?? '' };
  }

  function createdId(stdout: string, provider: ProviderName, status: string): string {
    const id = new RegExp(`^${provider} message (\\S+) \\(created in the sandbox at status ${status}\\)$`, 'm').exec(stdout)?.[1];
    expect(id, stdout).toBeDefined();
    return id!;
  }

  it.each(['twilio', 'signalwire-compat', 'signalwire-rest', 'vonage-sms', 'vonage-messages'] as const)(
    '%s delivered: 200, the message is redacted in the sandbox, and npm start shows the callback and the redaction',
    { timeout: 60_000 },
    async (provider) => {
      const { code, stdout } = await trigger(provider, 'delivered');
      expect(code).toBe(0);
      const id = createdId(stdout, provider, 'delivered');
      const lines = stdout.split('\n');
      expect(lines[1]).toMatch(new RegExp(`^POST http://127\\.0\\.0\\.1:\\d+/callbacks/local-${provider} \\(route local-${provider}, delivered\\)$`));
      expect(lines[2]).toBe('200 {"accepted":true}');
      expect(lines[3]).toBe('accepted: the callback is authentic and final, so a redaction job was queued');
      // Vonage's Reports API shows redacted content as "REDACTED"; the others answer an empty body.
      const blank = provider.startsWith('vonage') ? 'REDACTED' : '';
      await waitFor(async () => (await fetchFromSandbox(provider, id)).body === blank, 20_000, 'the body to be blanked in the sandbox');
      await start.waitForOutput(new RegExp(`callback\\s+${provider}\\s+${id}\\s+delivered\\s+accepted: redaction queued`));
      await start.waitForOutput(new RegExp(`redaction\\s+${provider}\\s+${id}\\s+delivered\\s+redacted\\n`));
    },
  );

  it('a message your app sent with the official twilio client: trigger --message-id, and it is redacted', { timeout: 60_000 }, async () => {
    // As in the README: nothing changed but the client's base URL.
    const { accountSid, authToken } = secrets['local/twilio'];
    const client = twilio(accountSid, authToken);
    client.api.baseUrl = `${sandbox}/twilio`;
    const sent = await client.messages.create({ to: '+14155552671', from: '+15005550006', body: 'Your code is 123456' });
    expect(sent.status).toBe('queued');

    const { code, stdout } = await trigger('twilio', 'delivered', '--message-id', sent.sid);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe(`twilio message ${sent.sid} (moved to status delivered in the sandbox)`);
    expect(stdout.split('\n')[2]).toBe('200 {"accepted":true}');
    await waitFor(async () => (await client.messages(sent.sid).fetch()).body === '', 20_000, 'the body to be blanked');
    await start.waitForOutput(new RegExp(`redaction\\s+twilio\\s+${sent.sid}\\s+delivered\\s+redacted\\n`));
    expect(start.stdout()).not.toContain('123456');
  });

  it('carrierx delivered: 200, and the live view shows why the body stays (CarrierX cannot blank it)', { timeout: 60_000 }, async () => {
    const { code, stdout } = await trigger('carrierx', 'delivered');
    expect(code).toBe(0);
    const id = createdId(stdout, 'carrierx', 'delivered');
    // The callback URL carries the account's token in its query: never printed.
    expect(stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/callbacks\/local-carrierx \(route local-carrierx, delivered\)$/m);
    expect(stdout).not.toContain('token=');
    await start.waitForOutput(new RegExp(`redaction\\s+carrierx\\s+${id}\\s+delivered\\s+dead-lettered \\(provider-cannot-redact body-not-updatable\\)`));
    expect((await fetchFromSandbox('carrierx', id)).body).not.toBe('');
  });

  it('a status that is not final: 204, said in words, and nothing is redacted', { timeout: 60_000 }, async () => {
    const { code, stdout } = await trigger('twilio', 'sent');
    expect(code).toBe(0);
    const id = createdId(stdout, 'twilio', 'sent');
    expect(stdout.split('\n').slice(2)).toEqual(['204', 'authentic, but nothing to do now: the status is not final (or its retention is left to the sweep)', '']);
    await start.waitForOutput(new RegExp(`callback\\s+twilio\\s+${id}\\s+sent\\s+ignored \\(not-terminal\\)`));
    expect((await fetchFromSandbox('twilio', id)).body).not.toBe('');
  });

  it('a callback signed for another account is refused, and the output says why', { timeout: 60_000 }, async () => {
    const compatUrl = (JSON.parse(readFileSync(endpointsFile, 'utf8')) as { accounts: Array<{ route: string; publicUrl: string }> }).accounts.find(
      (a) => a.route === 'local-signalwire-compat',
    )!.publicUrl;
    const { code, stdout } = await trigger('twilio', 'delivered', '--url', compatUrl);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[2]).toMatch(/^403 \{"error":"[^"]+"\}$/);
    expect(lines[3]).toBe(
      "refused: the signature or token did not verify. The secret differs from the endpoint's, or the URL signed is not the account's publicUrl",
    );
  });
});

describe('CLI: npm run trigger, usage and a deployed endpoint', () => {
  describe('in process', () => {
    let stack: LocalStack;
    let stateDir: string;

    beforeAll(async () => {
      stateDir = mkdtempSync(join(tmpdir(), 'redactor-trigger-deployed-'));
      stack = await startLocalStack({ stateDir, twilioSubaccounts: 1 });
    });
    afterAll(async () => {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    });

    it('signs with the signing secret from Secrets Manager, for an existing message', async () => {
      // The accounts file of a "deployment": the same endpoint, a signingSecretId only Secrets Manager knows.
      const accountsFile = join(stateDir, 'accounts.json');
      writeFileSync(accountsFile, JSON.stringify(stack.accounts.map((a) => (a.provider === 'twilio' && !('subaccounts' in a) ? { ...a, signingSecretId: 'prod/twilio-signing' } : a))));
      const local = JSON.parse(readFileSync(stack.secretsFile, 'utf8')) as LocalSecretsFile;
      const asked: string[] = [];
      const fetchSecret = async (secretId: string) => {
        asked.push(secretId);
        if (secretId !== 'prod/twilio-signing') throw new Error(`no secret ${secretId}`);
        return JSON.stringify({ accountSid: local['local/twilio'].accountSid, authToken: local['local/twilio'].authToken });
      };
      const message = stack.sandbox.createMessage('twilio', { body: 'never printed', status: 'delivered' });
      const captured = captureIo();
      const { io } = captured;
      const code = await runTriggerCli(['twilio', 'delivered', '--accounts', accountsFile, '--message-id', message.id], io, { fetchSecret });
      expect({ code, err: captured.stderr() }).toEqual({ code: 0, err: '' });
      expect(asked).toEqual(['prod/twilio-signing']);
      expect(captured.stdout().split('\n')[0]).toBe(`twilio message ${message.id} (given)`);
      expect(captured.stdout()).toContain('\n200 {"accepted":true}\n');
      await waitFor(() => message.body === '', 15_000, 'the redaction');
    });

    it('without --message-id, names a message that does not exist, and says so', async () => {
      const accountsFile = join(stateDir, 'accounts-plain.json');
      writeFileSync(accountsFile, JSON.stringify(stack.accounts));
      const local = JSON.parse(readFileSync(stack.secretsFile, 'utf8')) as Record<string, unknown>;
      const captured = captureIo();
      const { io } = captured;
      const code = await runTriggerCli(['signalwire-rest', 'delivered', '--accounts', accountsFile], io, {
        fetchSecret: async (secretId) => JSON.stringify(local[secretId]),
      });
      expect(code).toBe(0);
      expect(captured.stdout().split('\n')[0]).toMatch(
        /^signalwire-rest message [0-9a-f-]{36} \(made up: no such message exists, so the redactor will ack it as not-found\)$/,
      );
    });

    it('says what is wrong with a target: no local stack, no route, no URL', async () => {
      const missing = captureIo();
      expect(await runTriggerCli(['twilio', 'delivered', '--endpoints', join(stateDir, 'nope.json')], missing.io)).toBe(2);
      expect(missing.stderr().split('\n')[0]).toBe(
        `trigger: no local stack found (${join(stateDir, 'nope.json')} is missing): start one with npm start, or pass --accounts FILE for a deployed stack`,
      );
      expect(missing.stderr()).toContain('\n\nSend one correctly signed status callback');

      const accountsFile = join(stateDir, 'accounts-nourl.json');
      writeFileSync(accountsFile, JSON.stringify(stack.accounts.map((a) => ({ ...a, publicUrl: undefined }))));
      const noUrl = captureIo();
      expect(await runTriggerCli(['carrierx', 'delivered', '--accounts', accountsFile], noUrl.io, { fetchSecret: async () => '{}' })).toBe(2);
      expect(noUrl.stderr().split('\n')[0]).toBe('trigger: --url is required: account "local-carrierx" has no publicUrl (pass the callback URL configured at the provider)');

      const wrongRoute = captureIo();
      expect(await runTriggerCli(['twilio', 'delivered', '--accounts', accountsFile, '--route', 'local-carrierx'], wrongRoute.io)).toBe(2);
      expect(wrongRoute.stderr().split('\n')[0]).toBe('trigger: route "local-carrierx" is a carrierx account, not twilio');
    });

    it('signs a Twilio subaccount\'s callback with its own token, fetched with the parent\'s credentials, and never prints it', async () => {
      const [subaccount] = stack.subaccounts;
      const captured = captureIo();
      const code = await runTriggerCli(['twilio', 'delivered', '--route', subaccount!.route, '--endpoints', join(stateDir, 'endpoints.json')], captured.io);
      expect({ code, err: captured.stderr() }).toEqual({ code: 0, err: '' });
      expect(captured.stdout()).toContain('\n200 {"accepted":true}\n');
      expect(captured.stdout()).not.toContain(stack.sandbox.twilioSubaccount(subaccount!.sid)!.authToken);
    });

    it('hints at npm start when a running stack\'s ports do not answer', async () => {
      const endpoints = join(stateDir, 'stopped.json');
      writeFileSync(endpoints, JSON.stringify({ accounts: stack.accounts, secretsFile: stack.secretsFile, sandboxOrigin: `http://127.0.0.1:${await closedPort()}`, pid: process.pid }));
      const stopped = captureIo();
      expect(await runTriggerCli(['twilio', 'delivered', '--endpoints', endpoints], stopped.io)).toBe(1);
      expect(stopped.stderr()).toBe('trigger: connection refused: is the local stack running (npm start), or is the URL right?\n');
    });
  });
});
