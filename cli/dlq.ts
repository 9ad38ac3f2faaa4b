import { runDlqCli } from './dlq-command';

// Entry point of `npm run dlq -- <command>`.
runDlqCli(process.argv.slice(2)).then((code) => process.exit(code));
