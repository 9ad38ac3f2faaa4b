import { runChaosCli } from './chaos-command';

// Entry point of `npm run chaos -- [options]`.
runChaosCli(process.argv.slice(2)).then((code) => process.exit(code));
