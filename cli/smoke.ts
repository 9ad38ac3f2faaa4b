import { runSmokeCli } from './smoke-command';

// Entry point of `npm run smoke -- --route R [--url URL]`.
runSmokeCli(process.argv.slice(2)).then((code) => process.exit(code));
