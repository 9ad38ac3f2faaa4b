import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../functions/core/reconciliation/audit-report';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { createJsonLogger } from '../../functions/core/telemetry/logger';
import { LOCAL_ROUTES, startLocalStack, type LocalStack } from '../../local/local-stack';
import { runLocalAudit } from '../../local/local-sweep';

const HOUR = 3_600_000;

/** Reads an object back from the local evidence bucket. */
async function readEvidence(stack: LocalStack, location: string): Promise<string> {
  const key = location.replace(`s3://${stack.evidence.bucket}/`, '');
  const answer = await fetch(`${stack.evidence.endpoint}/${stack.evidence.bucket}/${key}`);
  expect(answer.status).toBe(200);
  return answer.text();
}

function queuedJobs(stack: LocalStack): RedactionJob[] {
  const q = stack.queues.server.inspectQueue('message-redactor-jobs')!;
  return [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((m) => m.message)].map(
    (m) => JSON.parse((m as { body: string }).body) as RedactionJob,
  );
}

describe('Audit: the provider list read over the retention, written as evidence', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-audit-'));
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ stateDir });
    // The redactor stays stopped: the test counts the jobs the audit enqueues.
    await stack.poller.stop();
  }, 30_000);
  afterAll(async () => {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('counts held bodies by reason as the sandbox does, enqueues the ones it can redact, and writes JSON and CSV with no body or number', { timeout: 60_000 }, async () => {
    const now = Date.now();
    const body = 'Your code is 424242, call +14155550199';
    // Twilio: 30 held (final, retention 0, body there), 20 redacted, 10 not final.
    const twilio = [
      ...stack.sandbox.seedHistory('twilio', { count: 30, sentAt: (i) => now - 2 * HOUR + i * 1000, status: 'delivered', body }),
      ...stack.sandbox.seedHistory('twilio', { count: 20, sentAt: (i) => now - 3 * HOUR + i * 1000, status: 'delivered', body: '' }),
      ...stack.sandbox.seedHistory('twilio', { count: 10, sentAt: (i) => now - HOUR + i * 1000, status: 'sending', body }),
    ];
    // CarrierX cannot blank a body: held, but under its own reason, and never enqueued.
    stack.sandbox.seedHistory('carrierx', { count: 7, sentAt: (i) => now - 2 * HOUR + i * 1000, status: 'delivered', body });
    const lines: Array<Record<string, unknown>> = [];
    const log = createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });

    const { report, locations } = await runLocalAudit(stack, { route: LOCAL_ROUTES.twilio, clock: new Date(now), log });
    expect(report).toMatchObject({
      route: LOCAL_ROUTES.twilio,
      listed: 60,
      counts: { held: 30, redacted: 20, 'not-final': 10, 'held:due-not-redacted': 30 },
      heldPastRetention: { 'due-not-redacted': 30 },
      enqueued: 30,
    });
    const heldIds = new Set(twilio.filter((m) => m.body !== '' && m.status === 'delivered').map((m) => m.id));
    expect(new Set(report.held.map((h) => h.id))).toEqual(heldIds);
    expect(new Set(queuedJobs(stack).map((j) => j.messageId))).toEqual(heldIds);

    const cx = await runLocalAudit(stack, { route: LOCAL_ROUTES.carrierx, clock: new Date(now), log });
    expect(cx.report).toMatchObject({ listed: 7, heldPastRetention: { 'provider-cannot-redact': 7 }, enqueued: 0 });
    expect(queuedJobs(stack)).toHaveLength(30);

    expect(locations).toEqual([
      expect.stringMatching(new RegExp(`^s3://${stack.evidence.bucket}/audits/${LOCAL_ROUTES.twilio}/\\d{4}-\\d{2}-\\d{2}/.+/report\\.json$`)),
      expect.stringMatching(/report\.csv$/),
    ]);
    const json = await readEvidence(stack, locations[0]!);
    expect(JSON.parse(json) as AuditReport).toEqual(report);
    const csv = await readEvidence(stack, locations[1]!);
    expect(csv.split('\r\n')[0]).toBe('"record","route","day_or_message_id","status","due_at","reason","listed","redacted","held"');
    expect(csv.split('\r\n').filter((row) => row.startsWith('"held"'))).toHaveLength(30);
    for (const text of [json, csv, JSON.stringify(lines)]) {
      expect(text).not.toContain('424242');
      expect(text).not.toContain('4155550199');
      expect(text).not.toContain('+1500');
    }
    // The alarm's metric: one point per reason, zero included.
    const held = lines.filter((l) => l.event === 'audit.held');
    expect(held.map((l) => [l.route, l.reason, l.BodiesHeldPastRetention])).toEqual([
      [LOCAL_ROUTES.twilio, 'due-not-redacted', 30],
      [LOCAL_ROUTES.twilio, 'provider-cannot-redact', 0],
      [LOCAL_ROUTES.carrierx, 'due-not-redacted', 0],
      [LOCAL_ROUTES.carrierx, 'provider-cannot-redact', 7],
    ]);
  });
});
