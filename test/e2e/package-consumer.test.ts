import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLockfile, tarballSpec, type PackageLock } from '../support/consumer-lockfile';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

/** A consumer's CDK app, shaped as `cdk init app --language typescript` makes one: CommonJS, NodeNext. */
const APP = `import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MessageRedactor, METRICS, type AccountConfigInput } from 'message-redactor';

const accounts: AccountConfigInput[] = [
  { route: 'twilio-main', provider: 'twilio', secretId: 'message-redactor/twilio-main' },
  { route: 'carrierx-main', provider: 'carrierx', secretId: 'message-redactor/carrierx-main' },
];
const app = new App({ outdir: process.env.OUT_DIR });
const stack = new Stack(app, 'Consumer');
new MessageRedactor(stack, 'Redactor', { accounts });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
if (METRICS.deadLetters !== 'DeadLetters') throw new Error('metrics names did not load');
app.synth();
`;

const TSCONFIG = (module: string, moduleResolution: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  compilerOptions: { target: 'ES2022', module, moduleResolution, lib: ['es2022'], strict: true, declaration: false, outDir: 'out', rootDir: 'bin', types: ['node'], ...extra },
  include: ['bin'],
});

/**
 * The package as a platform team gets it: `npm pack`, installed with only aws-cdk-lib, constructs,
 * cdk-nag and the TypeScript toolchain beside it, used from a CDK app and synthesised by plain
 * `node`, where esbuild cannot even be resolved: nothing is bundled there.
 */
describe('Package: a consumer CDK app installs the tarball and synthesises', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'redactor-consumer-'));
  const app = path.join(work, 'app');
  let tarball: string;

  beforeAll(async () => {
    const { stdout } = await exec('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    tarball = path.join(work, stdout.trim().split('\n').at(-1)!);
    mkdirSync(path.join(app, 'bin'), { recursive: true });
    writeFileSync(path.join(app, 'bin', 'app.ts'), APP);
    // A real install, with no network (tests reach only 127.0.0.1): the app's lock file pins what this
    // repository's lock pins, so `npm ci --offline` takes every package from the npm cache that this
    // repository's own `npm ci` filled, and the tarball from the file `npm pack` just wrote.
    const manifest = JSON.parse((await exec('tar', ['-xzOf', tarball, 'package/package.json'])).stdout) as { version: string; dependencies: Record<string, string>; peerDependencies: Record<string, string> };
    const repoLock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as PackageLock;
    const pinned = (name: string) => repoLock.packages[`node_modules/${name}`]!.version!;
    const consumer = {
      name: 'consumer', version: '0.0.0',
      dependencies: { 'message-redactor': tarballSpec(app, tarball), 'aws-cdk-lib': pinned('aws-cdk-lib'), constructs: pinned('constructs'), 'cdk-nag': pinned('cdk-nag') },
      devDependencies: Object.fromEntries(['typescript', '@types/node', 'ts-node', 'tsx'].map((name) => [name, pinned(name)])),
    };
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    const lock = consumerLockfile(repoLock, consumer, {
      'node_modules/message-redactor': { version: manifest.version, resolved: tarballSpec(app, tarball), integrity, dependencies: manifest.dependencies, peerDependencies: manifest.peerDependencies },
    });
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ ...consumer, private: true }, null, 2));
    writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
    await exec('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  }, 240_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the library, its types, the prebuilt handlers and the commands, and nothing of the repository else', async () => {
    const { stdout } = await exec('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'dist/lib/index.mjs', 'dist/lib/index.cjs', 'dist/types/infra/index.d.ts', 'dist/handlers/receiver/index.mjs', 'dist/handlers/redactor/index.mjs', 'dist/handlers/sweep/index.mjs', 'dist/bin/message-redactor-sweep.mjs']));
    expect(files.filter((f) => /^(test|local|cli|bench|functions|infra|\.ci)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it.each([
    { name: 'NodeNext (cdk init)', module: 'NodeNext', resolution: 'NodeNext' },
    // zod's own declarations (the account config's types come from its schema) need esModuleInterop
    // under Node10 resolution, which CommonJS TypeScript configs set anyway.
    { name: 'CommonJS', module: 'CommonJS', resolution: 'Node10', extra: { esModuleInterop: true } },
    { name: 'Bundler', module: 'ESNext', resolution: 'Bundler' },
  ])('type-checks against the shipped declarations with $name module settings', async ({ module, resolution, extra }) => {
    const config = path.join(app, `tsconfig.${resolution}.json`);
    writeFileSync(config, TSCONFIG(module, resolution, extra));
    await expect(exec('node', [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config, '--noEmit'], { cwd: app })).resolves.toBeDefined();
  }, 120_000);

  it('type-checks with TypeScript 7 (the native compiler today\'s cdk init pins) under NodeNext', async () => {
    const config = path.join(app, 'tsconfig.ts7.json');
    writeFileSync(config, TSCONFIG('NodeNext', 'NodeNext'));
    const tsc7 = path.join(ROOT, 'node_modules', 'typescript7', 'bin', 'tsc');
    const { stdout } = await exec('node', [tsc7, '--version']);
    expect(stdout).toMatch(/^Version 7\./);
    await expect(exec('node', [tsc7, '-p', config, '--noEmit'], { cwd: app })).resolves.toBeDefined();
  }, 120_000);

  it('synthesises with plain node, where esbuild cannot be resolved: three functions from the shipped handlers, cdk-nag clean', async () => {
    writeFileSync(path.join(app, 'tsconfig.json'), TSCONFIG('NodeNext', 'NodeNext'));
    await exec('node', [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app });
    // The compiled app, installed as a deployment pipeline would install it (`npm ci --omit=dev`): no
    // TypeScript, no tsx and so no esbuild anywhere in its tree.
    const deployed = path.join(work, 'deployed');
    mkdirSync(deployed);
    for (const file of ['package.json', 'package-lock.json']) writeFileSync(path.join(deployed, file), readFileSync(path.join(app, file)));
    cpSync(path.join(app, 'out'), path.join(deployed, 'out'), { recursive: true });
    await exec('npm', ['ci', '--offline', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: deployed, maxBuffer: 16 * 1024 * 1024 });
    await expect(exec('node', ['-e', "require.resolve('esbuild')"], { cwd: deployed })).rejects.toThrow();
    const out = path.join(work, 'cdk.out');
    await exec('node', [path.join(deployed, 'out', 'app.js')], { cwd: deployed, env: { ...process.env, OUT_DIR: out } });
    const template = JSON.parse(readFileSync(path.join(out, 'Consumer.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }> };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => [f.Properties.Runtime, f.Properties.Handler])).toEqual([['nodejs24.x', 'index.handler'], ['nodejs24.x', 'index.handler'], ['nodejs24.x', 'index.handler']]);
    // Three handlers as shipped, and the accounts layer made at synth (a JSON file, no code).
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.'));
    const handlers = assets.filter((asset) => existsSync(path.join(out, asset, 'index.mjs')));
    expect(handlers).toHaveLength(3);
    for (const asset of handlers) expect(statSync(path.join(out, asset, 'index.mjs')).size).toBeGreaterThan(10_000);
    const layers = assets.filter((asset) => !handlers.includes(asset));
    expect(layers.map((asset) => JSON.parse(readFileSync(path.join(out, asset, 'message-redactor', 'accounts.json'), 'utf8')).length)).toEqual([2]);
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::SQS::Queue').length).toBeGreaterThanOrEqual(4);
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(10);
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(true);
  }, 180_000);

  it.each([
    { runner: 'ts-node (the runner of apps earlier cdk init versions made)', command: ['node_modules/ts-node/dist/bin.js', 'bin/app.ts'] },
    { runner: 'tsx', command: ['node_modules/tsx/dist/cli.mjs', 'bin/app.ts'] },
  ])('synthesises the same app run by $runner', async ({ command }) => {
    writeFileSync(path.join(app, 'tsconfig.json'), TSCONFIG('NodeNext', 'NodeNext'));
    const out = mkdtempSync(path.join(work, 'runner-'));
    await exec('node', command, { cwd: app, env: { ...process.env, OUT_DIR: out } });
    const template = JSON.parse(readFileSync(path.join(out, 'Consumer.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(3);
  }, 120_000);

  it('runs a packaged command: message-redactor-sweep --help', async () => {
    const bin = (JSON.parse(readFileSync(path.join(app, 'node_modules', 'message-redactor', 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['message-redactor-sweep']!;
    const { stdout } = await exec('node', [path.join(app, 'node_modules', 'message-redactor', bin), '--help'], { cwd: app });
    expect(stdout).toContain('audit [--route R] [--json]');
  });
});
