import { describe, expect, it } from 'vitest';
import { DeadlineHttpClient } from '../../functions/core/runtime/deadline-http-client';
import type { HttpRequest, HttpResponse } from '../../functions/core/runtime/http-client';
import { MEDIA_DELETION_LIMITS, PROVIDER_CAPABILITIES, maxRequestsPerAttempt } from '../../functions/core/provider-rules/provider-capabilities';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { terminalStatusesFor } from '../../functions/core/provider-rules/terminal-rules';
import { redactionProviders } from '../../functions/providers';
import { json, scriptedHttp } from '../support/fake-http';
import { NOW, carrierXSecret, carrierXSms, redactionJob, signalWireSecret, uuid } from '../support/provider-fixtures';
import { sid, twilioSecret } from '../support/twilio-fixtures';

/**
 * Each provider's longest path through one attempt: the answers that make its adapter send the most
 * requests (media lists that never end, a refusal that needs explaining, CarrierX's read-back).
 */
interface WorstCase {
  readonly provider: ProviderName;
  readonly secret: Record<string, unknown>;
  readonly job: RedactionJob;
  readonly deleteMedia: boolean;
  readonly attemptBodyUpdate: boolean;
  readonly answer: (request: HttpRequest, index: number) => HttpResponse;
}

const endlessMedia = (mediaId: () => string) => (request: HttpRequest): HttpResponse => {
  if (request.method === 'DELETE') return { status: 204, headers: {}, body: '' };
  const items = Array.from({ length: 3 * MEDIA_DELETION_LIMITS.maxItems }, () => ({ sid: mediaId() }));
  return json(200, { media_list: items, next_page_uri: `/next?Page=${Math.random()}` });
};

const cases: WorstCase[] = [
  {
    provider: 'twilio',
    secret: twilioSecret(),
    job: redactionJob('twilio', { messageId: sid('MM'), media: true }),
    deleteMedia: true,
    attemptBodyUpdate: false,
    answer: (request) => (request.method === 'POST' ? json(200, { body: '' }) : endlessMedia(() => sid('ME'))(request)),
  },
  {
    provider: 'signalwire-compat',
    secret: signalWireSecret(),
    job: redactionJob('signalwire-compat', { media: true }),
    deleteMedia: true,
    attemptBodyUpdate: false,
    // Refused, explained by a read (already empty), then the media.
    answer: (request, index) => {
      if (request.method === 'POST') return json(422, { code: '21620' });
      if (index === 1) return json(200, { body: '', status: 'sent' });
      return endlessMedia(uuid)(request);
    },
  },
  {
    provider: 'signalwire-rest',
    secret: signalWireSecret(),
    job: redactionJob('signalwire-rest'),
    deleteMedia: false,
    attemptBodyUpdate: false,
    answer: () => json(200, { body: '' }),
  },
  {
    provider: 'carrierx',
    secret: carrierXSecret(),
    job: redactionJob('carrierx'),
    deleteMedia: false,
    attemptBodyUpdate: true,
    answer: (request) => (request.method === 'PATCH' ? json(200, carrierXSms({ user_data: '' })) : json(200, carrierXSms())),
  },
];

function redact(worst: WorstCase, http: ReturnType<typeof scriptedHttp> | DeadlineHttpClient) {
  const client = redactionProviders[worst.provider]!.bindClient(worst.secret, 'secret-id');
  return client.redact(worst.job, {
    http,
    deleteMedia: worst.deleteMedia,
    attemptBodyUpdate: worst.attemptBodyUpdate,
    terminalStatuses: terminalStatusesFor(worst.provider, undefined),
    now: () => NOW,
  });
}

describe.each(cases)('Time budget of one $provider attempt', (worst) => {
  it('sends no more requests than the capability table says, media paging included', async () => {
    const http = scriptedHttp(worst.answer);
    const outcome = await redact(worst, http);
    expect(http.requests.length).toBeLessThanOrEqual(maxRequestsPerAttempt(worst.provider, worst.deleteMedia));
    if (worst.deleteMedia) {
      // Bounded: the attempt stops at the limit and the next one carries on.
      expect(outcome).toEqual({ kind: 'transient', code: 'media-item-limit' });
      expect(http.requests.length).toBe(PROVIDER_CAPABILITIES[worst.provider].maxRequests + 1 + MEDIA_DELETION_LIMITS.maxItems);
    }
  });

  it('starts no request past the deadline and reports the attempt as transient (deadline)', async () => {
    let clock = NOW.getTime();
    // Each request takes 5 s; the deadline falls during the first one.
    const http = scriptedHttp((request, index) => {
      clock += 5_000;
      return worst.answer(request, index);
    });
    const outcome = await redact(worst, new DeadlineHttpClient(http, new Date(NOW.getTime() + 1_000), () => new Date(clock)));
    expect(http.requests).toHaveLength(1);
    expect(outcome).toEqual(PROVIDER_CAPABILITIES[worst.provider].maxRequests > 1 || worst.deleteMedia
      ? { kind: 'transient', code: 'deadline' }
      : { kind: 'redacted' });
  });
});
