import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CountingLogger } from './counting-logger';
import { ALL_PROVIDERS, runDemo, type DemoProgress, type DemoResult } from './demo-run';
import { LOCAL_ROUTES, startLocalStack } from './local-stack';
import { FAULT_PROFILES, type FaultProfileName } from './sandbox/fault-profile';

const HELP = `message-redactor, local mode: the real receiver and redactor handlers on this machine, against a
sandbox that speaks Twilio, SignalWire (compatibility + REST) and CarrierX. No AWS account needed.

Usage: npm start -- [options]

  --messages N        demo messages to send, spread over the four providers (default 200)
  --faults PROFILE    sandbox faults: ${Object.keys(FAULT_PROFILES).join(', ')} (default none)
  --port P            callback endpoint port on 127.0.0.1 (default 3000; 0 = any free port)
  --state-dir DIR     where the local secrets, endpoints and pipeline log go (default .local-state)
  --no-demo           start the pipeline and serve callbacks, send nothing
  --once              exit after the demo; exit code 1 if any message was lost or wrongly redacted
  --help              this text
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '200' },
      faults: { type: 'string', default: 'none' },
      port: { type: 'string', default: '3000' },
      'state-dir': { type: 'string', default: '.local-state' },
      'no-demo': { type: 'boolean', default: false },
      once: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const messages = Number(values.messages);
  const port = Number(values.port);
  if (!Number.isInteger(messages) || messages < 0 || messages > 100_000) return usage('--messages must be a whole number from 0 to 100000');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return usage('--port must be a port number');
  if (!(values.faults in FAULT_PROFILES)) return usage(`--faults must be one of ${Object.keys(FAULT_PROFILES).join(', ')}`);
  const faults = FAULT_PROFILES[values.faults as FaultProfileName];

  const stateDir = values['state-dir'];
  await mkdir(stateDir, { recursive: true });
  const log = new CountingLogger(join(stateDir, 'pipeline.log'));
  const stack = await startLocalStack({ port, faults, log, stateDir });
  const out = process.stdout;
  out.write(`message-redactor local stack is up (faults: ${values.faults})\n`);
  out.write(`  status callback endpoints (POST):\n`);
  for (const provider of ALL_PROVIDERS) out.write(`    ${provider.padEnd(18)} ${stack.callbackUrl(provider)}\n`);
  out.write(`  provider sandbox   ${stack.sandbox.apiBaseUrl('twilio').replace(/\/twilio$/, '')}\n`);
  out.write(`  local secrets      ${stack.secretsFile}\n  pipeline log       ${join(stateDir, 'pipeline.log')} (JSON lines: ids and statuses only)\n\n`);

  let result: DemoResult | undefined;
  if (!values['no-demo'] && messages > 0) {
    out.write(`Sending ${messages} demo messages through the sandbox...\n`);
    result = await runDemo(stack, { messages, log, onProgress: (p) => showProgress(p) });
    out.write('\n\n');
    printSummary(result, out);
  }

  if (values.once) {
    await stack.stop();
    await log.close();
    return result !== undefined && (result.lost > 0 || result.wronglyRedacted > 0) ? 1 : 0;
  }
  out.write(`\nServing callbacks until Ctrl-C. Routes: ${Object.values(LOCAL_ROUTES).join(', ')}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  out.write('\nStopping...\n');
  await stack.stop();
  await log.close();
  return 0;
}

function showProgress(p: DemoProgress): void {
  const line = `  sent ${p.sent} | terminal ${p.terminal} | redacted ${p.redacted} | retrying ${p.retrying} | dead-lettered ${p.deadLettered}`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line.padEnd(100)}`);
}

function printSummary(r: DemoResult, out: NodeJS.WriteStream): void {
  const reasons = Object.entries(r.deadLetterReasons).map(([reason, n]) => `${reason}: ${n}`).join(', ') || 'none';
  const row = (label: string, value: string | number) => `  ${label.padEnd(31)}${value}`;
  out.write(
    [
      `Summary (${(r.durationMs / 1000).toFixed(1)} s)`,
      row('messages sent', r.sent),
      row('reached a terminal status', r.terminal),
      row('redacted at the provider', r.redacted),
      row('retries scheduled', r.retrying),
      row('dead-lettered', `${r.deadLettered} (${reasons})`),
      row('lost', r.lost),
      row('wrongly redacted', r.wronglyRedacted),
      row('terminal callback -> redacted', `p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms`),
      r.deadLetterReasons['provider-cannot-redact']
        ? '  (CarrierX documents no way to blank a message body: those messages are parked with reason provider-cannot-redact, see README)'
        : '',
      '',
    ].join('\n'),
  );
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n\n${HELP}`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`local mode failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
