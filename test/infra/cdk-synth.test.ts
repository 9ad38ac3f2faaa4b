import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

interface CfnFunction {
  readonly Type: string;
  readonly Properties: {
    readonly Description: string;
    readonly Runtime: string;
    readonly Code: { readonly S3Key: string };
  };
}

describe('App: cdk synth', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'message-redactor-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles the three functions with local esbuild, offline, and passes cdk-nag', { timeout: 180_000 }, async () => {
    const started = performance.now();
    await promisify(execFile)(
      'npx',
      ['cdk', 'synth', '-q', '--no-notices', '-o', outdir, '-c', 'accountsFile=infra/accounts.example.json', '-c', 'alarmEmail=ops@example.com'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    console.log(`cdk synth: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const template = JSON.parse(readFileSync(path.join(outdir, 'MessageRedactor.template.json'), 'utf8')) as {
      Resources: Record<string, CfnFunction>;
    };
    // -c alarmEmail: every alarm notifies the one topic.
    const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm') as unknown as
      Array<{ Properties: { AlarmActions?: unknown[] } }>;
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((fn) => fn.Properties.Runtime)).toEqual(['nodejs24.x', 'nodejs24.x', 'nodejs24.x']);

    const bundles = functions.map((fn) => {
      const description = fn.Properties.Description;
      const role = description.startsWith('Authenticates') ? 'receiver' : description.startsWith('Reconciles') ? 'sweep' : 'redactor';
      const file = path.join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
      expect(existsSync(file), `${role} bundle ${file}`).toBe(true);
      const code = readFileSync(file);
      console.log(
        `${role} bundle: ${(statSync(file).size / 1024).toFixed(1)} KB minified, ${(gzipSync(code).length / 1024).toFixed(1)} KB gzip`,
      );
      return { role, code: code.toString('utf8') };
    });
    expect(bundles.map((b) => b.role).sort()).toEqual(['receiver', 'redactor', 'sweep']);
    // undici is half a megabyte of cold start the receiver never needs.
    expect(bundles.find((b) => b.role === 'receiver')!.code).not.toContain('undici');

    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string }>;
    };
    expect(report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions')).toEqual([]);
  });

  it('answers a bad accounts file with one line naming the key and exit 1, no stack trace', { timeout: 60_000 }, async () => {
    const file = path.join(outdir, 'duplicate-route.json');
    const account = { route: 'twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln', provider: 'twilio', secretId: 'message-redactor/a' };
    writeFileSync(file, JSON.stringify([account, { ...account, secretId: 'message-redactor/b' }]));
    const failure = await promisify(execFile)('npx', ['tsx', 'infra/app.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ accountsFile: file }), CDK_OUTDIR: outdir },
    }).then(() => undefined, (error: { code: number; stderr: string }) => error);

    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toBe(`message-redactor: accounts file ${file}: invalid accounts config: accounts[1].route: duplicate route\n`);
  });
});
