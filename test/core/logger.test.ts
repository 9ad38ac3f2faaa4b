import { describe, expect, it } from 'vitest';
import { createJsonLogger, logLevelFromEnv, withRequestId } from '../../functions/core/logger';
import { METRICS } from '../../functions/core/telemetry-names';

function capture(level?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR') {
  const lines: Array<Record<string, unknown>> = [];
  const log = createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>), now: () => 1_700_000_000_000, ...(level ? { level } : {}) });
  return { log, lines };
}

describe('Function: createJsonLogger', () => {
  it('drops lines below its level', () => {
    const { log, lines } = capture('WARN');
    log.debug('a.debug');
    log.info('a.info', { route: 'r' });
    log.warn('a.warn');
    expect(lines).toEqual([{ level: 'WARN', event: 'a.warn' }]);
  });

  it('still writes the metrics of a dropped line, as a short EMF line without ids', () => {
    const { log, lines } = capture('INFO');
    log.debug('callback.ignored', { route: 'r', provider: 'twilio', messageId: 'SM1', status: 'sent' }, [{ name: METRICS.callbacksIgnored }]);
    expect(lines).toEqual([{
      provider: 'twilio',
      route: 'r',
      CallbacksIgnored: 1,
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [{ Namespace: 'MessageRedactor', Dimensions: [['provider', 'route'], []], Metrics: [{ Name: 'CallbacksIgnored', Unit: 'Count' }] }],
      },
    }]);
  });

  it('groups metrics by their dimension sets on one line', () => {
    const { log, lines } = capture();
    log.info('sweep.page', { route: 'r', provider: 'twilio', count: 7, enqueued: 2 }, [
      { name: METRICS.sweepListed, value: 7 },
      { name: METRICS.sweepEnqueued, value: 2 },
    ]);
    expect(lines[0]).toMatchObject({ SweepListed: 7, SweepEnqueued: 2 });
    expect((lines[0]!._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics).toEqual([{
      Namespace: 'MessageRedactor',
      Dimensions: [['provider', 'route'], []],
      Metrics: [{ Name: 'SweepListed', Unit: 'Count' }, { Name: 'SweepEnqueued', Unit: 'Count' }],
    }]);
  });

  it('adds the request id to every line through withRequestId', () => {
    const { log, lines } = capture('DEBUG');
    const scoped = withRequestId(log, 'req-9');
    scoped.debug('a');
    scoped.error('b', { route: 'r' });
    expect(lines.map((l) => l.requestId)).toEqual(['req-9', 'req-9']);
  });
});

describe('Function: logLevelFromEnv', () => {
  it.each([
    { value: undefined, level: 'INFO' },
    { value: 'debug', level: 'DEBUG' },
    { value: 'TRACE', level: 'DEBUG' },
    { value: 'WARN', level: 'WARN' },
    { value: 'FATAL', level: 'ERROR' },
    { value: 'loud', level: 'INFO' },
  ])('reads AWS_LAMBDA_LOG_LEVEL=$value as $level', ({ value, level }) => {
    expect(logLevelFromEnv({ AWS_LAMBDA_LOG_LEVEL: value })).toBe(level);
  });
});
