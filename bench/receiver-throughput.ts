import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { indexByRoute, parseAccounts } from '../functions/core/config/config';
import { silentLogger } from '../functions/core/telemetry/logger';
import type { JobSender } from '../functions/core/redaction/queues';
import { CachedSecretStore } from '../functions/core/secrets/secret-store';
import { callbackProviders } from '../functions/providers';
import { createReceiverHandler } from '../functions/receiver/create-handler';
import { receiveCallback, type ReceiverDeps } from '../functions/receiver/receive-callback';
import { median, nowMs } from './stats';
import { signedTwilioCallbacks, toApiGatewayEvent, toIncomingCallback } from './twilio-callbacks';

export interface ReceiverThroughputResult {
  /** Median callbacks/s of `receiveCallback` (authenticate → parse → decide → build job → no-op send). */
  readonly receiverOpsPerSec: number;
  /** Median callbacks/s of the whole Lambda handler (API Gateway event in, result out) over the same deps. */
  readonly handlerOpsPerSec: number;
  /** Median calls/s of twilio-node's `validateRequest` alone (params already parsed). */
  readonly twilioOpsPerSec: number;
  /** Median calls/s of `validateRequest` plus parsing the raw form body first (what an app using it does). */
  readonly twilioWithParseOpsPerSec: number;
  /** receiverOpsPerSec / twilioOpsPerSec. */
  readonly ratio: number;
  readonly handlerRatio: number;
  readonly rounds: number;
  readonly requests: number;
}

export interface ReceiverThroughputOptions {
  /** Interleaved rounds; each runs every contender once. */
  readonly rounds?: number;
  /** Target duration of one contender's run within a round. */
  readonly runMs?: number;
}

const ROUTE = 'twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln';
/** An API Gateway default endpoint, as Twilio would call it (https, no port: both port variants get tried). */
const URL = `https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/callbacks/${ROUTE}`;
const REQUESTS = 512;

/**
 * Throughput of the receiver's hot path against twilio-node's `validateRequest` on the same signed
 * callbacks, in one process. Contenders alternate within each round (order flipped every round, so
 * neither always runs on a hotter or colder heap), and each figure is the median over rounds.
 */
export async function measureReceiverThroughput(options: ReceiverThroughputOptions = {}): Promise<ReceiverThroughputResult> {
  const rounds = options.rounds ?? 9;
  const runMs = options.runMs ?? 250;
  const secret = { accountSid: 'AC' + randomBytes(16).toString('hex'), authToken: randomBytes(16).toString('hex') };
  const callbacks = signedTwilioCallbacks(REQUESTS, URL, secret);

  const noopQueue: JobSender = { send: async () => {} };
  const secrets = new CachedSecretStore({ fetch: async () => JSON.stringify(secret), maxAgeMs: 3_600_000 });
  const deps: ReceiverDeps = {
    accounts: indexByRoute(parseAccounts([{ route: ROUTE, provider: 'twilio', secretId: 'bench/twilio' }])),
    providers: callbackProviders,
    secrets,
    queue: noopQueue,
    now: () => new Date(),
    log: silentLogger,
    maxBodyBytes: 64 * 1024,
  };
  await secrets.get('bench/twilio'); // warm: the hot path never waits for Secrets Manager

  const incoming = callbacks.map((c) => toIncomingCallback(c, ROUTE));
  const events = callbacks.map((c) => toApiGatewayEvent(c, ROUTE));
  const handler = createReceiverHandler(deps);
  // twilio-node takes parsed params (as an Express body parser leaves them): parsing is not timed for it.
  const twilioArgs = callbacks.map((c) => ({
    signature: c.headers['x-twilio-signature']!,
    params: Object.fromEntries(new URLSearchParams(c.body)),
  }));

  // Correctness first: a fast path that refuses everything would be a meaningless win.
  for (let i = 0; i < REQUESTS; i++) {
    const expected = i % 2 === 0 ? 204 : 200;
    const viaCore = await receiveCallback(incoming[i]!, deps);
    const viaHandler = await handler(events[i]!);
    if (viaCore.statusCode !== expected || viaHandler.statusCode !== expected) {
      throw new Error(`receiver answered ${viaCore.statusCode}/${viaHandler.statusCode} to callback ${i}, expected ${expected}`);
    }
    if (!twilio.validateRequest(secret.authToken, twilioArgs[i]!.signature, URL, twilioArgs[i]!.params)) {
      throw new Error(`twilio.validateRequest rejected callback ${i}`);
    }
  }

  const contenders = {
    receiver: async (i: number) => {
      await receiveCallback(incoming[i % REQUESTS]!, deps);
    },
    handler: async (i: number) => {
      await handler(events[i % REQUESTS]!);
    },
    twilio: async (i: number) => {
      const a = twilioArgs[i % REQUESTS]!;
      twilio.validateRequest(secret.authToken, a.signature, URL, a.params);
    },
    twilioWithParse: async (i: number) => {
      const c = callbacks[i % REQUESTS]!;
      const params = Object.fromEntries(new URLSearchParams(c.body));
      twilio.validateRequest(secret.authToken, c.headers['x-twilio-signature']!, URL, params);
    },
  };
  type Name = keyof typeof contenders;
  const names = Object.keys(contenders) as Name[];
  const samples: Record<Name, number[]> = { receiver: [], handler: [], twilio: [], twilioWithParse: [] };

  // Warm-up (JIT, inline caches) and a per-contender batch size that fills about runMs.
  const batch: Record<Name, number> = { receiver: 0, handler: 0, twilio: 0, twilioWithParse: 0 };
  for (const name of names) {
    const opsPerSec = await run(contenders[name], 5_000);
    batch[name] = Math.max(REQUESTS, Math.round((opsPerSec * runMs) / 1000));
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples[name].push(await run(contenders[name], batch[name]));
  }
  const receiverOpsPerSec = median(samples.receiver);
  const handlerOpsPerSec = median(samples.handler);
  const twilioOpsPerSec = median(samples.twilio);
  return {
    receiverOpsPerSec,
    handlerOpsPerSec,
    twilioOpsPerSec,
    twilioWithParseOpsPerSec: median(samples.twilioWithParse),
    ratio: receiverOpsPerSec / twilioOpsPerSec,
    handlerRatio: handlerOpsPerSec / twilioOpsPerSec,
    rounds,
    requests: REQUESTS,
  };
}

/** Runs `op` n times in sequence (each awaited, as a Lambda handler is) and returns operations per second. */
async function run(op: (i: number) => Promise<void>, n: number): Promise<number> {
  const started = nowMs();
  for (let i = 0; i < n; i++) await op(i);
  return (n * 1000) / (nowMs() - started);
}
