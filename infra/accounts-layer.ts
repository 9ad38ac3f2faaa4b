import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { AccountsEntryInput } from '../functions/core/config/config';
import { ConfigError } from '../functions/core/runtime/errors';
import { ACCOUNTS_LAYER_FILE } from '../functions/core/config/lambda-env';

/**
 * Room for the accounts file: Lambda allows 250 MB of unzipped code and layers per function, and the
 * largest handler takes under 1 MB. About 100 bytes an account: a million accounts take a tenth of it.
 */
export const ACCOUNTS_FILE_LIMIT_BYTES = 200 * 1024 * 1024;

/**
 * The accounts config as a Lambda layer every function mounts: one JSON file at
 * `/opt/message-redactor/accounts.json`, read once at cold start. The environment (4 KB) holds about
 * 40 short accounts; a layer holds hundreds of thousands. It is an asset of its own, so an accounts
 * change publishes a new layer version and leaves the handlers' code assets untouched.
 */
export function createAccountsLayer(scope: Construct, id: string, accounts: readonly AccountsEntryInput[]): { layer: lambda.LayerVersion; bytes: number } {
  // The original input, not the parsed accounts (Sets do not serialise): the functions parse it again.
  const json = JSON.stringify(accounts);
  const bytes = Buffer.byteLength(json);
  if (bytes > ACCOUNTS_FILE_LIMIT_BYTES) {
    throw new ConfigError(`the accounts config takes ${bytes} bytes, more than the ${ACCOUNTS_FILE_LIMIT_BYTES} its layer may (Lambda: 250 MB of unzipped code and layers per function)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'message-redactor-accounts-'));
  const file = path.join(dir, path.relative('/opt', ACCOUNTS_LAYER_FILE));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, json);
  const layer = new lambda.LayerVersion(scope, id, {
    code: lambda.Code.fromAsset(dir),
    compatibleRuntimes: [lambda.Runtime.NODEJS_24_X],
    compatibleArchitectures: [lambda.Architecture.ARM_64],
    description: `message-redactor accounts config (${accounts.length} account${accounts.length === 1 ? '' : 's'})`,
  });
  return { layer, bytes };
}
