import { processIo, type CliIo } from '../cli/kit';
import { runStartCli } from './start-command';

// Entry point of `npm start`. Progress and the live view are for a person at a terminal: they go to
// stdout with the banner.
const io: CliIo = { ...processIo, isTTY: process.stdout.isTTY === true };
runStartCli(process.argv.slice(2), io).then((code) => process.exit(code));
