import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTwilioForm } from '../../functions/providers/twilio-signature';
import { runSmokeCli } from '../../cli/smoke-command';
import { LOCAL_ROUTES, startLocalStack, type LocalStack } from '../../local/local-stack';
import { captureIo } from '../support/cli-io';


describe('CLI: npm run smoke', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-smoke-'));
  const endpoints = join(stateDir, 'endpoints.json');
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ stateDir, twilioSubaccounts: 1 });
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** An endpoints file like the stack's, whose secrets file has one value changed. */
  function tamperedEndpoints(name: string, change: (secrets: Record<string, Record<string, unknown>>) => void): string {
    const original = JSON.parse(readFileSync(endpoints, 'utf8')) as { secretsFile: string };
    const secrets = JSON.parse(readFileSync(original.secretsFile, 'utf8')) as Record<string, Record<string, unknown>>;
    change(secrets);
    const secretsFile = join(stateDir, `${name}-secrets.json`);
    writeFileSync(secretsFile, JSON.stringify(secrets));
    const file = join(stateDir, `${name}-endpoints.json`);
    writeFileSync(file, JSON.stringify({ ...original, secretsFile }));
    return file;
  }

  it('runs as a process against the local stack: a signed non-final callback answered 204, exit 0', { timeout: 60_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      'npx', ['tsx', 'cli/smoke.ts', '--route', LOCAL_ROUTES.twilio, '--endpoints', endpoints],
      { env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' } },
    );
    expect(stdout).toContain('secret local/twilio: valid twilio API credentials\n');
    expect(stdout).toMatch(/^ok: http:\/\/127\.0\.0\.1:\d+\/callbacks\/local-twilio verified a signed twilio callback for route local-twilio and answered 204 \(not final: nothing enqueued\)$/m);
  });

  it.each(Object.entries(LOCAL_ROUTES))('gets 204 from the %s route and enqueues nothing', async (_provider, route) => {
    const { io, out, err } = captureIo();
    expect(await runSmokeCli(['--route', route, '--endpoints', endpoints], io)).toBe(0);
    expect(err).toEqual([]);
    expect(out.at(-1)).toContain('answered 204');
  });

  it.each([
    ['a plain http URL', 'http://callbacks.example.com/callbacks/local-carrierx?token=x',
      "smoke: --url http://callbacks.example.com/callbacks/local-carrierx is plain http: a signed callback carries the account's credentials; use https, or pass --allow-insecure-url if you mean it"],
    ['another host than the account\'s', 'https://callbacks.example.com/callbacks/local-carrierx',
      "smoke: --url host callbacks.example.com is not the account's configured host 127.0.0.1:"],
  ])('sends no credentials to %s without --allow-insecure-url (exit 2)', async (_what, url, problem) => {
    const sent: string[] = [];
    const spy = (async (target: string) => { sent.push(String(target)); return new Response('', { status: 204 }); }) as unknown as typeof fetch;
    const { io, err } = captureIo();
    expect(await runSmokeCli(['--route', LOCAL_ROUTES.carrierx, '--url', url, '--endpoints', endpoints], io, { fetch: spy })).toBe(2);
    expect(err[0]!.split('\n')[0]).toContain(problem);
    expect(err.join('')).not.toContain('token=x');
    expect(sent).toEqual([]);
    const allowed = captureIo();
    await runSmokeCli(['--route', LOCAL_ROUTES.carrierx, '--url', url, '--allow-insecure-url', '--endpoints', endpoints], allowed.io, { fetch: spy });
    expect(sent).toHaveLength(1);
  });

  it('names the missing local stack in one line, then the usage, exit 2', async () => {
    const { io, err } = captureIo();
    const missing = join(stateDir, 'nope.json');
    expect(await runSmokeCli(['--route', LOCAL_ROUTES.twilio, '--endpoints', missing], io)).toBe(2);
    const text = err.join('');
    expect(text.split('\n')[0]).toBe(`smoke: no local stack found (${missing} is missing): start one with npm start, or pass --accounts FILE for a deployed stack`);
    expect(text).toContain('\n\nSmoke test of a callback endpoint');
  });

  it('explains a 403 when the secret it signs with is not the one the receiver reads', async () => {
    const file = tamperedEndpoints('wrong-token', (s) => (s['local/twilio']!.authToken = 'f'.repeat(32)));
    const { io, err } = captureIo();
    expect(await runSmokeCli(['--route', LOCAL_ROUTES.twilio, '--endpoints', file], io)).toBe(1);
    expect(err.join('')).toMatch(/^403: refused: the signature or token did not verify\. .* \(route local-twilio verifies with secret local\/twilio against http:\/\/127\.0\.0\.1:\d+\/callbacks\/local-twilio\)\n$/);
    expect(err.join('')).not.toContain('f'.repeat(32));
  });

  it('signs a Twilio subaccount\'s callback with its own token, fetched with the parent\'s credentials as the receiver does, and never prints it', async () => {
    const [subaccount] = stack.subaccounts;
    const { io, out, err } = captureIo();
    expect(await runSmokeCli(['--route', subaccount!.route, '--endpoints', endpoints], io)).toBe(0);
    expect(out[0]).toBe('secret local/twilio: valid twilio API credentials\n');
    expect(out[1]).toBe(`subaccount ${subaccount!.sid}: auth token fetched with the parent's credentials\n`);
    expect(out.join('')).toMatch(/204/);
    expect([...out, ...err].join('')).not.toContain(stack.sandbox.twilioSubaccount(subaccount!.sid)!.authToken);
  });

  it('explains a 404 when the URL matches no callback route', async () => {
    const publicUrl = stack.callbackUrl('twilio');
    const { io, err } = captureIo();
    expect(await runSmokeCli(['--route', LOCAL_ROUTES.twilio, '--endpoints', endpoints, '--url', publicUrl.replace('local-twilio', 'local-twilo')], io)).toBe(1);
    expect(err.join('')).toMatch(/^404: no such callback route at this URL: /);
  });

  it('never prints the CarrierX token carried in its callback URL, on success, on a refusal, or on a bad --url', async () => {
    const secrets = JSON.parse(readFileSync(stack.secretsFile, 'utf8')) as Record<string, { callbackToken: string }>;
    const token = secrets['local/carrierx']!.callbackToken;
    const withToken = `${stack.callbackUrl('carrierx')}?token=${token}`;
    for (const url of [withToken, withToken.replace('local-carrierx', 'local-carrierz'), 'http://[bad']) {
      const { io, out, err } = captureIo();
      const code = await runSmokeCli(['--route', LOCAL_ROUTES.carrierx, '--endpoints', endpoints, '--url', url], io);
      expect([0, 1, 2]).toContain(code);
      expect(out.join('') + err.join('')).not.toContain(token);
    }
  });

  it('verifies a Twilio callback URL configured with connection overrides (#rc=…&rp=…): the fragment is never signed nor sent', async () => {
    const url = stack.callbackUrl('twilio');
    const { io, out } = captureIo();
    expect(await runSmokeCli(['--route', LOCAL_ROUTES.twilio, '--endpoints', endpoints, '--url', `${url}#rc=5&rp=all&ct=1000`], io)).toBe(0);
    expect(out.at(-1)).toContain('answered 204');
    // twilio-node, the reference: a signature over the URL without the fragment validates against the
    // URL a server sees (no fragment), and the same URL with the fragment would not.
    const params = { MessageSid: 'SM' + '1'.repeat(32), MessageStatus: 'queued' };
    const signature = signTwilioForm('t'.repeat(32), url, Object.entries(params));
    expect(twilio.validateRequest('t'.repeat(32), signature, url, params)).toBe(true);
    expect(twilio.validateRequest('t'.repeat(32), signature, `${url}#rc=5&rp=all`, params)).toBe(false);
  });

  it('checks a secret without sending, and names a malformed one without printing it', async () => {
    const good = captureIo();
    expect(await runSmokeCli(['--route', LOCAL_ROUTES['signalwire-rest'], '--endpoints', endpoints, '--check-secret'], good.io)).toBe(0);
    expect(good.out).toEqual(['secret local/signalwire: valid signalwire-rest API credentials\n']);
    const file = tamperedEndpoints('malformed', (s) => (s['local/twilio']!.accountSid = 'not-a-sid-4c7f'));
    const bad = captureIo();
    expect(await runSmokeCli(['--route', LOCAL_ROUTES.twilio, '--endpoints', file, '--check-secret'], bad.io)).toBe(1);
    expect(bad.err.join('')).toMatch(/^smoke: secret local\/twilio is malformed: accountSid: must be AC followed by 32 hex digits\n$/);
    expect(bad.err.join('')).not.toContain('not-a-sid-4c7f');
  });

  it.each([
    { argv: [], message: '--route is required' },
    { argv: ['--route', 'x', '--url', 'ftp://x'], message: '--url must be an absolute http(s) URL' },
  ])('refuses bad usage ($message) with exit 2 and the usage', async ({ argv, message }) => {
    const { io, err } = captureIo();
    expect(await runSmokeCli([...argv, '--endpoints', endpoints], io)).toBe(2);
    expect(err.join('')).toMatch(new RegExp(`^smoke: ${message.replace(/[()]/g, '\\$&')}\\n\\nSmoke test of a callback endpoint`));
  });

  it('names the routes it knows when the route is not configured', async () => {
    const { io, err } = captureIo();
    expect(await runSmokeCli(['--route', 'nope', '--endpoints', endpoints], io)).toBe(2);
    expect(err.join('')).toContain(`smoke: route "nope" is not an account of the local stack (${endpoints}) (routes: local-twilio, local-signalwire-compat, local-signalwire-rest, local-carrierx, local-vonage-sms, local-vonage-messages, local-twilio-sub-1)`);
  });
});
