import { fileURLToPath } from 'node:url';
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../functions/core/runtime/errors';
import { parseAlarmEmail } from './alarm-topic';
import { chooseAccountsFile, DEFAULT_ACCOUNTS_FILE, loadAccountsFile } from './accounts-file';
import { buildHandlers } from './build-handlers';
import { MessageRedactorStack } from './redactor-stack';

// CDK app entry (cdk.json: `npx tsx infra/app.ts`). Accounts come from `-c accountsFile=…`,
// infra/accounts.json, or the example file. `-c alarmEmail=ops@example.com` sends every alarm to that
// address (a context key, not a key of the accounts file: that file is the functions' accounts array,
// parsed by the same strict schema at cold start, and has no place for stack settings).
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
// The repository's app builds the handlers first (what `npm run build` does); the construct then
// deploys those files as a consumer of the package deploys the ones it ships.
await buildHandlers();
const app = new App();
// A wrong accounts file or prop is the operator's mistake, not a crash: one line naming the key, exit 1.
// Anything else is a bug and keeps its stack trace.
try {
  const choice = chooseAccountsFile(app.node.tryGetContext('accountsFile'), projectRoot);
  const stack = new MessageRedactorStack(app, 'MessageRedactor', {
    description: 'message-redactor: SMS provider status callbacks → redaction of message bodies at the provider',
    accounts: loadAccountsFile(choice.file),
    alarmEmail: parseAlarmEmail(app.node.tryGetContext('alarmEmail')),
  });
  if (choice.isExample) {
    Annotations.of(stack).addWarningV2(
      'message-redactor:exampleAccounts',
      `No ${DEFAULT_ACCOUNTS_FILE} found: synthesised with the example accounts from ${choice.file}. `
      + 'Create infra/accounts.json or pass -c accountsFile=<path> before deploying.',
    );
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`message-redactor: ${error.message}\n`);
  process.exit(1);
}
// cdk-nag 3 is a policy validation plugin: findings fail the synth unless acknowledged with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
