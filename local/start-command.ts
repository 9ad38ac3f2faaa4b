import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { intFlag, parseCliArgs, processIo, runCli, UsageError, type CliIo } from '../cli/kit';
import { CountingLogger } from './counting-logger';
import { ALL_PROVIDERS, runDemo, type DemoProgress, type DemoResult } from './demo-run';
import { liveLine, LiveConsole } from './live-view';
import { LOCAL_ROUTES, startLocalStack, type LocalStack } from './local-stack';
import { DEFAULT_LOCAL_PORTS, readLocalState, writeLocalPorts, type LocalPorts } from './local-state';
import { FAULT_PROFILES, type FaultProfileName } from './sandbox/fault-profile';
import { launcherProcessIds, whenAnyExits } from './launcher-watch';

export const START_USAGE = `message-redactor, local mode: the real receiver and redactor handlers on this machine, against a
sandbox that speaks Twilio, SignalWire (compatibility + REST), CarrierX and Vonage (SMS + Messages). No AWS account needed.

Usage: npm start -- [options]

  --messages N        demo messages to send, spread over every provider (default 200)
  --faults PROFILE    sandbox faults: ${Object.keys(FAULT_PROFILES).join(', ')} (default none)
  --no-demo           start the pipeline and serve callbacks, send nothing
  --once              exit after the demo; exit code 1 if any message was lost or wrongly redacted
  --quiet             no line per callback and per redaction (the live view)
  --port P            callback endpoint port on 127.0.0.1 (first run: ${DEFAULT_LOCAL_PORTS.gateway}; 0 = any free port)
  --sandbox-port P    provider sandbox port (first run: ${DEFAULT_LOCAL_PORTS.sandbox})
  --sqs-port P        local SQS endpoint port (first run: ${DEFAULT_LOCAL_PORTS.sqs})
  --state-dir DIR     where the secrets, ports, endpoints and pipeline log go (default .local-state)
  --reset             new secrets and ports instead of the ones kept from the last run
  --help              this text

Secrets and ports are kept in the state directory, so URLs and tokens copied from one run still
work after a restart. The pipeline log starts empty at each run.
`;

async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // Taken first: a launcher killed while the stack starts must still count as gone.
  const launcherIds = launcherProcessIds();
  const { values, positionals } = parseCliArgs(argv, {
    messages: { type: 'string' },
    faults: { type: 'string', default: 'none' },
    port: { type: 'string' },
    'sandbox-port': { type: 'string' },
    'sqs-port': { type: 'string' },
    'state-dir': { type: 'string', default: '.local-state' },
    'no-demo': { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    reset: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.out(START_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const messages = intFlag(values.messages, 'messages', 0, 100_000) ?? 200;
  if (!Object.hasOwn(FAULT_PROFILES, values.faults)) throw new UsageError(`--faults must be one of ${Object.keys(FAULT_PROFILES).join(', ')}`);
  const faults = FAULT_PROFILES[values.faults as FaultProfileName];
  const stateDir = values['state-dir'];
  await mkdir(stateDir, { recursive: true });
  const saved = values.reset ? {} : await readLocalState(stateDir);
  const ports: LocalPorts = {
    gateway: intFlag(values.port, 'port', 0, 65_535) ?? saved.ports?.gateway ?? DEFAULT_LOCAL_PORTS.gateway,
    sandbox: intFlag(values['sandbox-port'], 'sandbox-port', 0, 65_535) ?? saved.ports?.sandbox ?? DEFAULT_LOCAL_PORTS.sandbox,
    sqs: intFlag(values['sqs-port'], 'sqs-port', 0, 65_535) ?? saved.ports?.sqs ?? DEFAULT_LOCAL_PORTS.sqs,
    sqsServer: saved.ports?.sqsServer ?? DEFAULT_LOCAL_PORTS.sqsServer,
  };

  const view = new LiveConsole(io.out, io.isTTY);
  const log = new CountingLogger(
    join(stateDir, 'pipeline.log'),
    values.quiet
      ? undefined
      : (event, fields) => {
          const line = liveLine(event, fields);
          if (line !== undefined) view.line(line);
        },
  );
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      port: ports.gateway,
      sandboxPort: ports.sandbox,
      sqsPort: ports.sqs,
      sqsServerPort: ports.sqsServer,
      ...(saved.secrets ? { secrets: saved.secrets } : {}),
      faults,
      log,
      stateDir,
    });
  } catch (error) {
    const port = (error as { code?: string; port?: number }).code === 'EADDRINUSE' ? (error as { port?: number }).port : undefined;
    if (port === undefined) throw error;
    throw new Error(`port ${port} is already in use (another npm start?): stop it, or pick ports with --port, --sandbox-port, --sqs-port (or --reset)`);
  }
  await writeLocalPorts(stateDir, stack.ports);
  const sandboxOrigin = new URL(stack.sandbox.apiBaseUrl('twilio')).origin;
  io.out(
    [
      `message-redactor local stack is up (faults: ${values.faults})`,
      '  status callback endpoints (POST):',
      ...ALL_PROVIDERS.map((provider) => `    ${provider.padEnd(18)} ${stack.callbackUrl(provider)}`),
      `  provider sandbox   ${sandboxOrigin}  (Twilio API base URL ${stack.sandbox.apiBaseUrl('twilio')}; see docs/sandbox.md)`,
      `  local SQS          ${stack.queues.endpoint}`,
      `  local secrets      ${stack.secretsFile} (kept across restarts; --reset makes new ones)`,
      `  pipeline log       ${join(stateDir, 'pipeline.log')} (JSON lines: ids and statuses only)`,
      values.quiet ? '' : '  live view          one line per callback and per redaction (--quiet hides them)',
      '',
    ].join('\n'),
  );

  let result: DemoResult | undefined;
  if (!values['no-demo'] && messages > 0) {
    io.out(`Sending ${messages} demo messages through the sandbox...\n`);
    result = await runDemo(stack, { messages, log, onProgress: (p) => view.progress(progressLine(p)) });
    view.endProgress();
    io.out('\n');
    io.out(summary(result));
  }

  if (values.once) {
    await stack.stop();
    await log.close();
    return result !== undefined && (result.lost > 0 || result.wronglyRedacted > 0) ? 1 : 0;
  }
  io.out(`\nServing callbacks until Ctrl-C (try: npm run trigger -- twilio delivered). Routes: ${Object.values(LOCAL_ROUTES).join(', ')}\n`);
  // Ctrl-C, a kill of this process, or a kill of any launcher (npm, its sh, tsx) stops everything.
  const launchers = whenAnyExits(launcherIds);
  await Promise.race([
    launchers.exited,
    new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }),
  ]);
  launchers.cancel();
  io.out('\nStopping...\n');
  await stack.stop();
  await log.close();
  return 0;
}

function progressLine(p: DemoProgress): string {
  return `  sent ${p.sent} | terminal ${p.terminal} | redacted ${p.redacted} | retrying ${p.retrying} | dead-lettered ${p.deadLettered}`;
}

function summary(r: DemoResult): string {
  const reasons = Object.entries(r.deadLetterReasons).map(([reason, n]) => `${reason}: ${n}`).join(', ') || 'none';
  const row = (label: string, value: string | number) => `  ${label.padEnd(31)}${value}`;
  return [
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
  ].join('\n');
}

/** Runs `npm start`; returns the exit code once the stack has stopped (or at once for --help and bad usage). */
export function runStartCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCli('start', START_USAGE, io, () => main(argv, io));
}
