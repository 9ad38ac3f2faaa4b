import { describe, expect, it } from 'vitest';
import { LiveConsole, liveLine } from '../../local/live-view';

const AT = new Date('2026-11-30T07:05:09Z');
const SID = 'SM0123456789abcdef0123456789abcdef';
const job = { route: 'local-twilio', provider: 'twilio', messageId: SID, status: 'delivered', attempt: 1 };

describe('live view of npm start', () => {
  it.each([
    ['callback.accepted', { ...job, reason: 'terminal' }, 'callback  twilio            SM0123456789abcdef0123456789abcdef   delivered   accepted: redaction queued'],
    ['callback.ignored', { ...job, status: 'sent', reason: 'not-terminal' }, 'callback  twilio            SM0123456789abcdef0123456789abcdef   sent        ignored (not-terminal)'],
    ['callback.refused', { route: 'local-twilio', httpStatus: 403, reason: 'invalid signature' }, 'callback  local-twilio      -                                    -           refused 403 (invalid signature)'],
    ['redaction.done', { ...job, outcome: 'redacted', action: 'ack' }, 'redaction twilio            SM0123456789abcdef0123456789abcdef   delivered   redacted'],
    ['redaction.done', { ...job, outcome: 'already-redacted', action: 'ack' }, 'redaction twilio            SM0123456789abcdef0123456789abcdef   delivered   already redacted'],
    ['redaction.not-found', { ...job, outcome: 'not-found' }, 'redaction twilio            SM0123456789abcdef0123456789abcdef   delivered   not found at the provider (acked)'],
    ['redaction.retry', { ...job, outcome: 'throttled', code: '20429', delaySeconds: 4 }, 'redaction twilio            SM0123456789abcdef0123456789abcdef   delivered   retry in 4 s (throttled 20429)'],
    ['redaction.dead-lettered', { ...job, reason: 'rejected', code: '21610' }, 'redaction twilio            SM0123456789abcdef0123456789abcdef   delivered   dead-lettered (rejected 21610)'],
  ] as const)('%s: one line of ids, status and outcome', (event, fields, line) => {
    expect(liveLine(event, fields, AT)).toBe(`07:05:09 ${line}`);
  });

  it('shows nothing for events that are neither a callback nor a redaction', () => {
    expect(liveLine('secret.unavailable', job, AT)).toBeUndefined();
    expect(liveLine('sweep.page', { route: 'local-twilio', count: 3 }, AT)).toBeUndefined();
  });

  it('keeps a terminal progress line below the event lines, and leaves it out of a pipe', () => {
    let tty = '';
    const onTerminal = new LiveConsole((text) => (tty += text), true);
    onTerminal.progress('sent 1');
    onTerminal.line('event');
    onTerminal.endProgress();
    expect(tty).toBe('\r\x1b[Ksent 1\r\x1b[Kevent\nsent 1\n');
    let piped = '';
    const onPipe = new LiveConsole((text) => (piped += text), false);
    onPipe.progress('sent 1');
    onPipe.line('event');
    onPipe.endProgress();
    expect(piped).toBe('event\n');
  });
});
