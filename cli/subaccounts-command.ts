import { writeFileSync } from 'node:fs';
import { isTwilioParentEntry, parseAccounts, type AccountsEntryInput } from '../functions/core/config/config';
import { FetchHttpClient } from '../functions/http/fetch-http-client';
import { parseSecretText } from '../functions/core/secrets/parse-secret';
import { parseTwilioSecret, subaccountAuthorization, TWILIO_API_BASE_URL } from '../functions/providers/twilio';
import { listTwilioSubaccounts } from '../functions/providers/twilio-subaccount-list';
import { loadAccountsFile } from '../infra/accounts-file';
import { LOCAL_ENDPOINTS_FILE } from '../local/local-endpoints';
import { parseCliArgs, processIo, runCli, UsageError, type CliIo } from './kit';
import { syncSubaccounts } from './subaccount-sync';
import { resolveTarget, type TargetDeps } from './target';

export const SUBACCOUNTS_USAGE = `Bring the Twilio subaccounts of an accounts file up to date with Twilio (npm run subaccounts -- sync --accounts FILE [--write])

  sync                 for each Twilio parent entry (one with "subaccounts"), list the parent's
                       subaccounts through Twilio's Accounts API with the parent's credentials (its
                       secretId, from Secrets Manager; AWS credentials and region from the usual
                       chain), and report the active ones the file does not list yet, and the listed
                       ones Twilio shows as suspended, closed or unknown
  --accounts FILE      the accounts file (required)
  --region REGION      the secrets' region (default: a secret ARN's, else the AWS SDK's chain)
  --write              append the new active subaccounts to FILE (route = their SID); nothing is ever
                       removed or renamed: a route's checkpoint and queued jobs depend on it. Deploy
                       the file afterwards
  --help               this text

Prints SIDs and counts, never a token. Exit 0 when it could list every parent, 1 otherwise.
`;

/** How `npm run subaccounts` reaches what it needs; tests replace Secrets Manager. */
export type SubaccountsDeps = TargetDeps;

/** Runs `npm run subaccounts`; returns the exit code. */
export async function runSubaccountsCli(argv: readonly string[], io: CliIo = processIo, deps: SubaccountsDeps = {}, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCli('subaccounts', SUBACCOUNTS_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      accounts: { type: 'string' },
      region: { type: 'string' },
      write: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    });
    if (values.help) {
      io.out(SUBACCOUNTS_USAGE);
      return 0;
    }
    const [command, extra] = positionals;
    if (command !== 'sync') throw new UsageError(command === undefined ? 'a command is required (sync)' : `unknown command "${command}"`);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (values.accounts === undefined) throw new UsageError('--accounts FILE is required');
    const file = values.accounts;
    const entries = loadAccountsFile(file);
    if (!entries.some(isTwilioParentEntry)) throw new UsageError(`${file} has no Twilio parent entry (one with "subaccounts")`);
    // The deployed stack's secrets, read as every command reads them.
    const target = resolveTarget('subaccounts sync', { endpoints: LOCAL_ENDPOINTS_FILE, accounts: file, ...(values.region === undefined ? {} : { region: values.region }) }, env, { accounts: true }, deps);
    try {
      return await sync(file, entries, target.fetchSecret, values.write, io);
    } finally {
      target.close();
    }
  });
}

/** Lists each parent's subaccounts, reports the differences, and appends the new ones with `write`. */
async function sync(
  file: string,
  entries: readonly AccountsEntryInput[],
  fetchSecret: (secretId: string) => Promise<string>,
  write: boolean,
  io: CliIo,
): Promise<number> {
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
  if (write && added > 0) {
    // Validated by the functions' own schema before it is written (a new SID's route could collide).
    parseAccounts(synced);
    writeFileSync(file, `${JSON.stringify(synced, null, 2)}\n`);
    io.out(`${file}: ${added} subaccount(s) added; deploy it to serve them\n`);
  } else if (added > 0) {
    io.out(`run again with --write to add them to ${file}\n`);
  }
  return failed ? 1 : 0;
}
