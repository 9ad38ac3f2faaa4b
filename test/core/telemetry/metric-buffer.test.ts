import { describe, expect, it } from 'vitest';
import { EMF_MAX_VALUES_PER_METRIC, MetricBuffer } from '../../../functions/core/telemetry/metric-buffer';

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
const twilio = { provider: 'twilio', route: 'twilio-main' };
const accepted = { name: 'CallbacksAccepted', unit: 'Count', value: 1 } as const;

/** A buffer whose environment is busy: one drain right before, so the next is not "after idle". */
function busyBuffer(at = T0) {
  const buffer = new MetricBuffer({ idleMs: 10_000 });
  buffer.drain(at);
  return buffer;
}

describe('Class: MetricBuffer', () => {
  it('writes everything at the end of the first invocation: a new environment may never be invoked again', () => {
    const buffer = new MetricBuffer();
    buffer.add(twilio, [accepted], T0);
    expect(buffer.drain(T0 + 5)).toEqual([{ dimensions: twilio, metrics: [{ name: 'CallbacksAccepted', unit: 'Count', value: 1 }], timestamp: T0 }]);
    expect(buffer.size).toBe(0);
  });

  it('sums counts while the environment is busy and writes them at the first invocation end after their minute', () => {
    const buffer = busyBuffer();
    for (let i = 0; i < 50; i += 1) {
      buffer.add(twilio, [accepted, { name: 'CallbacksIgnored', unit: 'Count', value: 1 }], T0 + i * 1000);
      expect(buffer.drain(T0 + i * 1000 + 10)).toEqual([]);
    }
    buffer.add(twilio, [accepted], T0 + 50_000);
    expect(buffer.drain(T0 + 60_000)).toEqual([{
      dimensions: twilio,
      metrics: [{ name: 'CallbacksAccepted', unit: 'Count', value: 51 }, { name: 'CallbacksIgnored', unit: 'Count', value: 50 }],
      timestamp: T0,
    }]);
  });

  it('writes everything when the environment was idle before this invocation', () => {
    const buffer = busyBuffer();
    buffer.add(twilio, [accepted], T0 + 1000);
    expect(buffer.drain(T0 + 1010)).toEqual([]);
    buffer.add(twilio, [accepted], T0 + 30_000);
    expect(buffer.drain(T0 + 30_010)).toEqual([expect.objectContaining({ metrics: [{ name: 'CallbacksAccepted', unit: 'Count', value: 2 }] })]);
  });

  it('keeps each timing value (for percentiles) and splits arrays at CloudWatch limit of 100 values', () => {
    const buffer = busyBuffer();
    const redacted = { ...twilio, outcome: 'redacted' };
    for (let i = 0; i < 250; i += 1) {
      buffer.add(redacted, [{ name: 'RedactionOutcomes', unit: 'Count', by: 'outcome', value: 1 }, { name: 'TimeToRedact', unit: 'Milliseconds', by: 'outcome', value: i }], T0 + 1);
    }
    const lines = buffer.drain(T0 + 2);
    expect(lines).toHaveLength(3);
    expect(lines[0]!.metrics).toEqual([
      { name: 'RedactionOutcomes', unit: 'Count', by: 'outcome', value: 250 },
      { name: 'TimeToRedact', unit: 'Milliseconds', by: 'outcome', value: Array.from({ length: 100 }, (_, i) => i) },
    ]);
    expect(lines[2]!.metrics).toEqual([{ name: 'TimeToRedact', unit: 'Milliseconds', by: 'outcome', value: Array.from({ length: 50 }, (_, i) => 200 + i) }]);
    expect(lines.every((l) => l.metrics.every((m) => !Array.isArray(m.value) || m.value.length <= EMF_MAX_VALUES_PER_METRIC))).toBe(true);
  });

  it('keeps dimension values and minutes apart, each under its own first timestamp', () => {
    const buffer = busyBuffer();
    const other = { provider: 'signalwire', route: 'sw' };
    buffer.add(twilio, [accepted], T0 + 59_000);
    buffer.add(other, [accepted], T0 + 59_500);
    buffer.add(twilio, [accepted], T0 + 61_000);
    const lines = buffer.drain(T0 + 62_000, true);
    expect(lines.map((l) => [l.dimensions.route, l.timestamp, l.metrics[0]!.value])).toEqual([
      ['twilio-main', T0 + 59_000, 1],
      ['sw', T0 + 59_500, 1],
      ['twilio-main', T0 + 61_000, 1],
    ]);
  });

  it('writes only the minutes that have ended, and keeps the current one', () => {
    const buffer = busyBuffer(T0 + 49_000);
    const other = { provider: 'carrierx', route: 'cx' };
    buffer.add(twilio, [accepted], T0 + 50_000);
    expect(buffer.drain(T0 + 50_010)).toEqual([]);
    buffer.add(other, [accepted, accepted], T0 + 55_000);
    expect(buffer.drain(T0 + 55_010)).toEqual([]);
    buffer.add(twilio, [accepted], T0 + 60_500);
    const lines = buffer.drain(T0 + 61_000);
    expect(lines.map((l) => [l.dimensions.route, l.timestamp])).toEqual([['twilio-main', T0 + 50_000], ['cx', T0 + 55_000]]);
    expect(buffer.size).toBe(1);
  });

  it('writes everything when the clock went back (an NTP step): early is always safe', () => {
    const buffer = busyBuffer(T0 + 5000);
    buffer.add(twilio, [accepted], T0 + 5000);
    expect(buffer.drain(T0 + 1000)).toHaveLength(1);
  });

  it('counts what a retired environment would lose: every summed point and every held value', () => {
    const buffer = busyBuffer();
    buffer.add(twilio, [accepted, accepted, { name: 'TimeToRedact', unit: 'Milliseconds', value: 7 }], T0 + 1);
    expect(buffer.size).toBe(3);
  });

  it('writes what it holds when forced, and then holds nothing', () => {
    const buffer = busyBuffer();
    buffer.add(twilio, [accepted], T0 + 1);
    expect(buffer.size).toBe(1);
    expect(buffer.drain(T0 + 2, true)).toHaveLength(1);
    expect(buffer.drain(T0 + 3, true)).toEqual([]);
  });
});
