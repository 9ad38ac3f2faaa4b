import { runSubaccountsCli } from './subaccounts-command';

// Entry point of `npm run subaccounts -- sync --accounts FILE [--write]`.
runSubaccountsCli(process.argv.slice(2)).then((code) => process.exit(code));
