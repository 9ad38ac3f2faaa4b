import { runSweepCli } from './sweep-command';

// Entry point of `npm run sweep -- <command>`.
runSweepCli(process.argv.slice(2)).then((code) => process.exit(code));
