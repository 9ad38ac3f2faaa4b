import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../functions/core/telemetry/logger';
import { createReceiverHandler } from '../../../functions/receiver/create-handler';
import type { ReceiverDeps } from '../../../functions/receiver/receive-callback';
import { createRedactorHandler } from '../../../functions/redactor/create-handler';
import type { RedactorDeps } from '../../../functions/redactor/process-record';
import { createSweepHandler } from '../../../functions/sweep/create-handler';
import type { SweepFunctionDeps } from '../../../functions/sweep/sweep-deps';
import { lambdaContext } from '../../support/lambda-context';

/** A logger that records flushes; the handlers get nothing else they could use. */
function flushSpy() {
  const flush = vi.fn<(force?: boolean) => void>();
  const log: Logger = { debug() {}, info() {}, warn() {}, error() {}, flush };
  return { log, flush };
}

// Each handler is given an event it cannot decode, so it throws before touching any other dependency.
describe('The Lambda handlers write the summed metrics at the end of every invocation, even one that throws', () => {
  it('receiver', async () => {
    const { log, flush } = flushSpy();
    const handler = createReceiverHandler({ log, now: () => new Date() } as unknown as ReceiverDeps);
    await expect(handler(undefined as unknown as APIGatewayProxyEventV2)).rejects.toThrow(TypeError);
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('redactor', async () => {
    const { log, flush } = flushSpy();
    const handler = createRedactorHandler({ log, now: () => new Date(), invocationReserveMs: 0, maxBatchingWindowSeconds: 0, queueVisibilityTimeoutSeconds: 30 } as unknown as RedactorDeps);
    await expect(handler({} as SQSEvent, lambdaContext())).rejects.toThrow(TypeError);
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('sweep', async () => {
    const { log, flush } = flushSpy();
    const handler = createSweepHandler({ log, accounts: new Map() } as unknown as SweepFunctionDeps);
    await expect(handler({ kind: 'sweep-schedule', route: 'nope', time: 'x' })).rejects.toThrow('configured route');
    expect(flush).toHaveBeenCalledTimes(1);
  });
});
