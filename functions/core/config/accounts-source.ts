import { parseAccountsJson, type Account } from './config';
import type { Env } from './env';
import { ConfigError } from '../runtime/errors';
import { ACCOUNTS_ENV } from './lambda-env';

/**
 * The accounts a function serves, read once at cold start: from the file `REDACTOR_ACCOUNTS_FILE` names
 * (what the construct deploys: a JSON file in a Lambda layer, so thousands of accounts fit where the
 * 4 KB environment would hold about 40), or inline from `REDACTOR_ACCOUNTS` (the local stack and the
 * command line). Exactly one of the two; both are validated by the same schema as at synth.
 */
export function accountsFromEnv(env: Env, readText: (path: string) => string): readonly Account[] {
  const file = env[ACCOUNTS_ENV.file];
  const inline = env[ACCOUNTS_ENV.inline];
  if (file !== undefined && file !== '') {
    if (inline !== undefined && inline !== '') throw new ConfigError(`set ${ACCOUNTS_ENV.file} or ${ACCOUNTS_ENV.inline}, not both`);
    let json: string;
    try {
      json = readText(file);
    } catch (cause) {
      throw new ConfigError(`${ACCOUNTS_ENV.file} (${file}) cannot be read`, cause);
    }
    return parseAccountsJson(json, `${ACCOUNTS_ENV.file} (${file})`);
  }
  if (inline === undefined || inline === '') throw new ConfigError(`neither ${ACCOUNTS_ENV.file} nor ${ACCOUNTS_ENV.inline} is set`);
  return parseAccountsJson(inline, ACCOUNTS_ENV.inline);
}
