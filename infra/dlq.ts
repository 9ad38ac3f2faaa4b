import { runDlqCli } from './dlq-cli';

// Entry point of `npm run dlq -- <command>`.
runDlqCli(process.argv.slice(2), (text) => process.stdout.write(text)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
