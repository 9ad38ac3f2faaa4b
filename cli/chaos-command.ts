import { intFlag, parseCliArgs, processIo, progressLine, runCli, UsageError, type CliIo } from './kit';
import { CHAOS_PROFILES, chaosSummary, runChaos, type ChaosProfile, type ChaosProgress } from '../local/chaos-run';
import { coverageChaosPassed, coverageChaosSummary, runCoverageChaos } from '../local/chaos-coverage';

export const CHAOS_USAGE = `The chaos run: the whole local stack under faults; exit 1 if any message was lost or wrongly redacted.

Usage: npm run chaos -- [options]

  --profile P       chaos (default): the provider APIs fail (20% 5xx, 10% 429, 5% timeouts, 5% "not
                    final yet"), callbacks come twice or out of order.
                    reconcile: callbacks are lost (10% of final callbacks never sent; for 3 s the
                    queue is down, so every final callback is answered 503), 1,000 messages were
                    sent before the run and never announced; then the sweep backfills each route
                    and must find them all.
                    coverage: on the sandbox's clock over 14 simulated days, every callback lost,
                    accounts kept 0 h to 7 days; late receipts, read statuses days after delivery;
                    the schedule changes its interval and settle time and skips most of a day.
                    The scheduled sweep alone must redact every due body (lost=0), none early
                    (wrongly-redacted=0), and the audit must count what the sandbox holds.
  --messages N      messages to send, over every provider and three Twilio subaccounts served by
                    one parent entry (default 10000; 1 to 100000)
  --kills K         times the redactor worker is killed mid-batch and restarted (default 2)
  --seed S          seed of every random draw, to repeat a run (default 1234)
  --help            this text

Judged over every message in the sandbox with each provider's documented final statuses: a final
message must end with an empty body or in the DLQ with a reason (lost=0); a message that is not final
must keep its body (wrongly-redacted=0).
`;

/** How often progress is printed when stderr is not a terminal (a terminal gets a live line). */
const PROGRESS_EVERY_MS = 5000;

/** Runs `npm run chaos`; returns the exit code. */
export async function runChaosCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCli('chaos', CHAOS_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      profile: { type: 'string', default: 'chaos' },
      messages: { type: 'string', default: '10000' },
      kills: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1234' },
      help: { type: 'boolean', default: false },
    });
    if (values.help) {
      io.out(CHAOS_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (!(CHAOS_PROFILES as readonly string[]).includes(values.profile)) throw new UsageError(`--profile must be one of ${CHAOS_PROFILES.join(', ')}`);
    const messages = intFlag(values.messages, 'messages', 1, 100_000)!;
    const kills = intFlag(values.kills, 'kills', 0, 100)!;
    const seed = intFlag(values.seed, 'seed', 0, 2 ** 31 - 1)!;

    const progress = progressLine(io, { everyMs: PROGRESS_EVERY_MS });
    const onProgress = (p: ChaosProgress) =>
      progress(`chaos: ${p.phase} | sent ${p.sent}/${messages} | final ${p.terminal} | redacted ${p.redacted} | dead-lettered ${p.deadLettered} | retries ${p.retrying}${p.swept > 0 ? ` | swept ${p.swept}` : ''}`);
    if (values.profile === 'coverage') {
      const result = await runCoverageChaos({
        messages,
        seed,
        onProgress: (p) => progress(`chaos: day ${p.day}/${p.days} | sent ${p.sent}/${messages} | runs ${p.runs}`),
      });
      progress.end();
      io.out(`${coverageChaosSummary(result)}\n`);
      return coverageChaosPassed(result) ? 0 : 1;
    }
    const result = await runChaos({ profile: values.profile as Exclude<ChaosProfile, 'coverage'>, messages, kills, seed, onProgress });
    progress.end();
    io.out(`${chaosSummary(result)}\n`);
    return result.lost > 0 || result.wronglyRedacted > 0 ? 1 : 0;
  });
}
