import { parseArgs } from 'node:util';
import { chaosSummary, runChaos } from './chaos-run';

// `npm run chaos -- [--messages N] [--kills K] [--seed S]`: exits 1 if anything was lost or wrongly redacted.
const { values } = parseArgs({
  options: { messages: { type: 'string', default: '10000' }, kills: { type: 'string', default: '2' }, seed: { type: 'string', default: '1234' } },
});
const messages = Number(values.messages);
const kills = Number(values.kills);
const seed = Number(values.seed);
if (![messages, kills, seed].every(Number.isInteger) || messages < 1 || kills < 0) {
  process.stderr.write('usage: npm run chaos -- [--messages N] [--kills K] [--seed S]\n');
  process.exit(2);
}
const result = await runChaos({ messages, kills, seed });
process.stdout.write(`${chaosSummary(result)}\n`);
process.exit(result.lost > 0 || result.wronglyRedacted > 0 ? 1 : 0);
