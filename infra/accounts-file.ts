import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAccounts, type AccountsEntryInput } from '../functions/core/config/config';
import { ConfigError } from '../functions/core/runtime/errors';

/** Where the app looks for the accounts when the `accountsFile` context is not set. */
export const DEFAULT_ACCOUNTS_FILE = 'infra/accounts.json';
/** The committed example, used (with a warning) when the default file does not exist. */
export const EXAMPLE_ACCOUNTS_FILE = 'infra/accounts.example.json';

/** Which accounts file the app reads, and whether it fell back to the example. */
export interface AccountsFileChoice {
  readonly file: string;
  readonly isExample: boolean;
}

/**
 * Picks the accounts file: the `accountsFile` context if given (it must exist), else
 * infra/accounts.json, else the example. Relative paths are resolved against `projectRoot`.
 */
export function chooseAccountsFile(contextValue: unknown, projectRoot: string): AccountsFileChoice {
  if (contextValue !== undefined) {
    if (typeof contextValue !== 'string' || contextValue === '') {
      throw new ConfigError('context accountsFile must be a file path (cdk synth -c accountsFile=path/to/accounts.json)');
    }
    return { file: path.resolve(projectRoot, contextValue), isExample: false };
  }
  const defaultFile = path.resolve(projectRoot, DEFAULT_ACCOUNTS_FILE);
  if (existsSync(defaultFile)) return { file: defaultFile, isExample: false };
  return { file: path.resolve(projectRoot, EXAMPLE_ACCOUNTS_FILE), isExample: true };
}

/**
 * Reads and validates an accounts file. Every error names the file, and a schema error also names the
 * offending key (`accounts[0].route: …`).
 */
export function loadAccountsFile(file: string): AccountsEntryInput[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`accounts file ${file} cannot be read: ${(cause as Error).message}`, cause);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`accounts file ${file} is not valid JSON: ${(cause as Error).message}`, cause);
  }
  try {
    parseAccounts(value);
  } catch (cause) {
    throw new ConfigError(`accounts file ${file}: ${(cause as Error).message}`, cause);
  }
  // parseAccounts accepted it, so it has the input shape.
  return value as AccountsEntryInput[];
}
