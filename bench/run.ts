import { runBenchCli } from './bench-command';

// Entry point of `npm run bench`.
runBenchCli(process.argv.slice(2)).then((code) => process.exit(code));
