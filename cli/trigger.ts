import { runTriggerCli } from './trigger-command';

// Entry point of `npm run trigger -- <provider> <status>`.
runTriggerCli(process.argv.slice(2)).then((code) => process.exit(code));
