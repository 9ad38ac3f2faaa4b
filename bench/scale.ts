import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { accountsFromEnv } from '../functions/core/config/accounts-source';
import { indexByRoute, type AccountConfigInput, type AccountsEntryInput, type TwilioParentConfigInput } from '../functions/core/config/config';
import { MessageRedactor } from '../infra/message-redactor';
import { PRICES_USD } from './prices';

/** Bytes counted for a value only known at deploy time (a queue URL), as the construct's 4 KB check does. */
const UNRESOLVED_BYTES = 256;

export interface ScalePoint {
  readonly accounts: number;
  readonly synthMs: number;
  readonly resources: number;
  readonly templateBytes: number;
  /** The largest function environment, deploy-time references counted at 256 bytes. */
  readonly largestEnvironmentBytes: number;
  /** The accounts file every function's layer carries. */
  readonly accountsFileBytes: number;
  readonly callbackRoutes: number;
}

export interface ScaleResult {
  readonly points: readonly ScalePoint[];
  /** 10,000 Twilio subaccounts under one parent entry and one secret. */
  readonly subaccounts: ScalePoint & { readonly configLoadMs: number };
  /** Cold start's config part at 10,000 accounts: read the layer file, validate, index (median of runs). */
  readonly configLoadMs: { readonly accounts1: number; readonly accounts10000: number };
  /** One callback's account lookup, ns, at 1 and 10,000 accounts (a Map: flat). */
  readonly lookupNs: { readonly accounts1: number; readonly accounts10000: number };
  /**
   * Fixed monthly cost of the secrets at 10,000 Twilio (sub)accounts: one secret each (by prefix)
   * against one parent secret for all the subaccounts ($0.40 per secret and month).
   */
  readonly secretsMonthlyUsd: { readonly secretEach: number; readonly oneParentSecret: number };
}

/** Short Twilio entries, one secret each under one prefix, as a platform with many customers has. */
export const clinicAccounts = (n: number): AccountConfigInput[] =>
  Array.from({ length: n }, (_, i) => ({ route: `clinic-${i}`, provider: 'twilio', secretId: `message-redactor/clinic-${i}` }));

/** One Twilio parent and `n` subaccounts, a route each: the compact form (about 70 bytes a subaccount). */
export const clinicSubaccounts = (n: number): TwilioParentConfigInput => ({
  provider: 'twilio',
  secretId: 'message-redactor/twilio-parent',
  subaccounts: Array.from({ length: n }, (_, i) => ({ route: `clinic-${i}`, accountSid: `AC${i.toString(16).padStart(32, '0')}` })),
});

function synthPoint(n: number, accounts: readonly AccountsEntryInput[] = clinicAccounts(n)): ScalePoint {
  const started = performance.now();
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Scale');
  new MessageRedactor(stack, 'MessageRedactor', { accounts, secretNamePrefix: 'message-redactor/' });
  const template = app.synth().getStackByName('Scale').template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const synthMs = performance.now() - started;
  const resources = Object.values(template.Resources);
  const environments = resources.filter((r) => r.Type === 'AWS::Lambda::Function').map((fn) => {
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    return Object.entries(variables).reduce((sum, [key, value]) => sum + key.length + (typeof value === 'string' ? Buffer.byteLength(value) : UNRESOLVED_BYTES), 0);
  });
  return {
    accounts: n,
    synthMs,
    resources: resources.length,
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    largestEnvironmentBytes: Math.max(...environments),
    accountsFileBytes: Buffer.byteLength(JSON.stringify(accounts)),
    callbackRoutes: resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').length,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** What a cold start does with the config: the file from the layer, the schema, the index by route. */
function configLoadMs(accounts: readonly AccountsEntryInput[], runs: number): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'redactor-scale-'));
  try {
    const file = path.join(dir, 'accounts.json');
    writeFileSync(file, JSON.stringify(accounts));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      indexByRoute(accountsFromEnv({ REDACTOR_ACCOUNTS_FILE: file }, (p) => readFileSync(p, 'utf8')));
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lookupNs(n: number): number {
  const index = indexByRoute(accountsFromEnv({ REDACTOR_ACCOUNTS: JSON.stringify(clinicAccounts(n)) }, () => ''));
  const routes = Array.from({ length: 1000 }, (_, i) => `clinic-${(i * 7919) % n}`);
  let found = 0;
  const rounds = 2000;
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const route of routes) if (index.get(route) !== undefined) found++;
  const elapsed = Number(process.hrtime.bigint() - started);
  if (found !== rounds * routes.length) throw new Error('scale bench: a lookup missed');
  return elapsed / (rounds * routes.length);
}

export function measureScale(): ScaleResult {
  synthPoint(1); // warm the CDK modules, so the first point is not the import
  const points = [1, 100, 1000, 10_000].map((n) => synthPoint(n));
  const parent = [clinicSubaccounts(10_000)];
  return {
    points,
    subaccounts: { ...synthPoint(10_000, parent), configLoadMs: configLoadMs(parent, 9) },
    configLoadMs: { accounts1: configLoadMs(clinicAccounts(1), 9), accounts10000: configLoadMs(clinicAccounts(10_000), 9) },
    lookupNs: { accounts1: lookupNs(1), accounts10000: lookupNs(10_000) },
    secretsMonthlyUsd: { secretEach: 10_000 * PRICES_USD.secretPerMonth, oneParentSecret: PRICES_USD.secretPerMonth },
  };
}
