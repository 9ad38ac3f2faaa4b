import { describe, expect, it } from 'vitest';
import { createJsonLogger, logLevelFromEnv, metricDetailFromEnv, withRequestId } from '../../../functions/core/telemetry/logger';
import { MetricBuffer } from '../../../functions/core/telemetry/metric-buffer';
import { METRICS } from '../../../functions/core/telemetry/telemetry-names';

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

  it('breaks metrics down by provider only at metric detail provider: one series per provider however many accounts, the route still on the line', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>), now: () => 1_700_000_000_000, metricDetail: 'provider' });
    log.warn('redaction.not-found', { route: 'clinic-17', provider: 'twilio', messageId: 'SM1' }, [{ name: METRICS.redactionOutcomes, by: 'outcome' }]);
    expect(lines[0]).toMatchObject({ route: 'clinic-17', provider: 'twilio' });
    expect((lines[0]!._aws as { CloudWatchMetrics: Array<{ Dimensions: unknown }> }).CloudWatchMetrics[0]!.Dimensions).toEqual([['provider'], []]);
  });

  it('sums a provider\'s accounts into one buffered line at metric detail provider', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>), now: () => 1_700_000_000_000, metricDetail: 'provider', metricBuffer: new MetricBuffer() });
    for (const route of ['clinic-1', 'clinic-2', 'clinic-3']) log.info('callback.accepted', { route, provider: 'twilio', messageId: 'SM1' }, [{ name: METRICS.callbacksAccepted }]);
    log.flush?.(true);
    const summed = lines.filter((line) => line.CallbacksAccepted !== undefined && line.event === undefined);
    expect(summed).toHaveLength(1);
    expect(summed[0]).toMatchObject({ provider: 'twilio', CallbacksAccepted: 3 });
    expect(summed[0]!.route).toBeUndefined();
  });

  it('reads the metric detail from METRIC_DETAIL, route by default, and names the key for another value', () => {
    expect(metricDetailFromEnv({})).toBe('route');
    expect(metricDetailFromEnv({ METRIC_DETAIL: 'provider' })).toBe('provider');
    expect(() => metricDetailFromEnv({ METRIC_DETAIL: 'account' })).toThrow('environment variable METRIC_DETAIL must be route or provider');
  });

  it('adds the request id to every line through withRequestId', () => {
    const { log, lines } = capture('DEBUG');
    const scoped = withRequestId(log, 'req-9');
    scoped.debug('a');
    scoped.error('b', { route: 'r' });
    expect(lines.map((l) => l.requestId)).toEqual(['req-9', 'req-9']);
  });
});

describe('Function: createJsonLogger with a MetricBuffer', () => {
  function buffered(level: 'INFO' | 'WARN') {
    const lines: Array<Record<string, unknown>> = [];
    let clock = 1_700_000_000_000;
    const log = createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>), now: () => clock, level, metricBuffer: new MetricBuffer() });
    return { log, lines, tick: (ms: number) => (clock += ms) };
  }
  const fields = { route: 'r', provider: 'twilio', messageId: 'SM1', status: 'delivered', requestId: 'req-1' };

  it('sums the metrics of INFO lines and writes them on flush, as a line of dimensions and values only', () => {
    const { log, lines, tick } = buffered('WARN');
    log.flush?.(); // the first invocation's end: the environment is busy from here on
    for (let i = 0; i < 3; i += 1) {
      log.info('callback.accepted', fields, [{ name: METRICS.callbacksAccepted }]);
      log.flush?.();
      tick(100);
    }
    expect(lines).toEqual([]);
    log.flush?.(true);
    expect(lines).toEqual([{
      provider: 'twilio',
      route: 'r',
      CallbacksAccepted: 3,
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [{ Namespace: 'MessageRedactor', Dimensions: [['provider', 'route'], []], Metrics: [{ Name: 'CallbacksAccepted', Unit: 'Count' }] }],
      },
    }]);
  });

  it('writes an INFO line without its metrics when the level lets it through', () => {
    const { log, lines } = buffered('INFO');
    log.flush?.();
    log.info('callback.accepted', fields, [{ name: METRICS.callbacksAccepted }]);
    expect(lines).toEqual([{ level: 'INFO', event: 'callback.accepted', ...fields }]);
  });

  it('never buffers the metrics of WARN and ERROR lines: alarms read them at once', () => {
    const { log, lines } = buffered('WARN');
    log.flush?.();
    log.warn('callback.refused', { route: 'r', provider: 'twilio', reason: 'bad-signature' }, [{ name: METRICS.callbacksRefused, by: 'reason' }]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'WARN', CallbacksRefused: 1, reason: 'bad-signature' });
    log.flush?.(true);
    expect(lines).toHaveLength(1);
  });

  it('writes an alarm signal at once even on an INFO line (a retry), and sums the rest of that line', () => {
    const { log, lines } = buffered('WARN');
    log.flush?.();
    log.info('redaction.retry', { route: 'r', provider: 'twilio' }, [{ name: METRICS.redactionRetries }, { name: METRICS.callbacksAccepted }]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ provider: 'twilio', route: 'r', RedactionRetries: 1 });
    expect(lines[0]).not.toHaveProperty('CallbacksAccepted');
    log.flush?.(true);
    expect(lines[1]).toMatchObject({ CallbacksAccepted: 1 });
  });

  it('passes flush through withRequestId', () => {
    const { log, lines } = buffered('WARN');
    const scoped = withRequestId(log, 'req-2');
    scoped.info('callback.accepted', fields, [{ name: METRICS.callbacksAccepted }]);
    scoped.flush?.();
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('requestId');
  });
});

describe('Function: logLevelFromEnv', () => {
  it('prefers the functions\' own LOG_LEVEL to Lambda\'s application level, and ignores one that is not a level', () => {
    expect(logLevelFromEnv({ LOG_LEVEL: 'WARN', AWS_LAMBDA_LOG_LEVEL: 'INFO' })).toBe('WARN');
    expect(logLevelFromEnv({ LOG_LEVEL: 'warning', AWS_LAMBDA_LOG_LEVEL: 'ERROR' })).toBe('ERROR');
  });

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
