import { writeFileSync } from 'node:fs';
import { isTwilioParentEntry, parseAccounts, type AccountsEntryInput } from '../functions/core/config/config';
import { FetchHttpClient } from '../functions/http/fetch-http-client';
import { parseSecretText } from '../functions/core/secrets/parse-secret';
import { parseTwilioSecret, subaccountAuthorization, TWILIO_API_BASE_URL } from '../functions/providers/twilio';
import { listTwilioSubaccounts } from '../functions/providers/twilio-subaccount-list';
import { loadAccountsFile } from '../infra/accounts-file';
import { parseCliArgs, processIo, runCli, UsageError, type CliIo } from './kit';
import { syncSubaccounts } from './subaccount-sync';

export const SUBACCOUNTS_USAGE = `Bring the Twilio subaccounts of an accounts file up to date with Twilio (npm run subaccounts -- sync --accounts FILE [--write])

  sync                 for each Twilio parent entry (one with "subaccounts"), list the parent's
                       subaccounts through Twilio's Accounts API with the parent's credentials (its
                       secretId, from Secrets Manager; AWS credentials and region from the usual
                       chain), and report the active ones the file does not list yet, and the listed
                       ones Twilio shows as suspended, closed or unknown
  --accounts FILE      the accounts file (required)
  --write              append the new active subaccounts to FILE (route = their SID); nothing is ever
                       removed or renamed: a route's checkpoint and queued jobs depend on it. Deploy
                       the file afterwards
  --help               this text

Prints SIDs and counts, never a token. Exit 0 when it could list every parent, 1 otherwise.
`;

/** How `npm run subaccounts` reaches what it needs; tests replace Secrets Manager. */
export interface SubaccountsDeps {
  /** Secrets Manager's GetSecretValue text for a secret id. */
  readonly fetchSecret?: (secretId: string) => Promise<string>;
}

/** Runs `npm run subaccounts`; returns the exit code. */
export async function runSubaccountsCli(argv: readonly string[], io: CliIo = processIo, deps: SubaccountsDeps = {}): Promise<number> {
  return runCli('subaccounts', SUBACCOUNTS_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      accounts: { type: 'string' },
      write: { type: 'boolean', default: false },
    });
    const [command, extra] = positionals;
    if (command !== 'sync') throw new UsageError(command === undefined ? 'a command is required (sync)' : `unknown command "${command}"`);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (values.accounts === undefined) throw new UsageError('--accounts FILE is required');
    const file = values.accounts;
    const entries = loadAccountsFile(file);
    if (!entries.some(isTwilioParentEntry)) throw new UsageError(`${file} has no Twilio parent entry (one with "subaccounts")`);
    const fetchSecret = deps.fetchSecret ?? fetchFromSecretsManager;
    const http = new FetchHttpClient(10_000);

    let failed = false;
    let added = 0;
    const synced: AccountsEntryInput[] = [];
    for (const [index, entry] of entries.entries()) {
      if (!isTwilioParentEntry(entry)) {
        synced.push(entry);
        continue;
      }
      const parent = parseTwilioSecret(parseSecretText(await fetchSecret(entry.secretId), entry.secretId), entry.secretId);
      const listed = await listTwilioSubaccounts({
        http,
        origin: entry.apiBaseUrl?.replace(/\/+$/, '') ?? TWILIO_API_BASE_URL,
        authorization: subaccountAuthorization(parent, entry.secretId),
        parentSid: parent.accountSid,
      });
      if (!listed.ok) {
        io.err(`accounts[${index}] (${entry.secretId}): Twilio's Accounts list could not be read (${listed.code})\n`);
        failed = true;
        synced.push(entry);
        continue;
      }
      const sync = syncSubaccounts(entry, listed.subaccounts);
      added += sync.added.length;
      io.out(
        `accounts[${index}] (${entry.secretId}): ${entry.subaccounts.length} configured, ${listed.subaccounts.length} at Twilio; `
          + `${sync.added.length} new active, ${sync.notActive.length} suspended or closed, ${sync.unknown.length} not under this parent\n`,
      );
      for (const sid of sync.added) io.out(`  new        ${sid}\n`);
      for (const { sid, status } of sync.notActive) io.out(`  ${status.padEnd(10)} ${sid}\n`);
      for (const sid of sync.unknown) io.out(`  unknown    ${sid}\n`);
      synced.push(sync.entry);
    }
    if (values.write && added > 0) {
      // Validated by the functions' own schema before it is written (a new SID's route could collide).
      parseAccounts(synced);
      writeFileSync(file, `${JSON.stringify(synced, null, 2)}\n`);
      io.out(`${file}: ${added} subaccount(s) added; deploy it to serve them\n`);
    } else if (added > 0) {
      io.out(`run again with --write to add them to ${file}\n`);
    }
    return failed ? 1 : 0;
  });
}

/** GetSecretValue; the SDK is loaded only here. */
async function fetchFromSecretsManager(secretId: string): Promise<string> {
  const [{ SecretsManagerClient }, { secretsManagerFetch }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('../functions/aws/secrets-manager'),
  ]);
  const region = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1];
  const client = new SecretsManagerClient(region === undefined ? {} : { region });
  try {
    return await secretsManagerFetch(client)(secretId);
  } finally {
    client.destroy();
  }
}
