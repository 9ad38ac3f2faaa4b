import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../../functions/core/provider-rules/provider-name';
import { startLocalStack, type LocalStack } from '../../../local/local-stack';
import { NO_FAULTS } from '../../../local/sandbox/fault-profile';
import { providerStatus } from '../../../local/sandbox/sandbox-message';

const PROVIDERS: ProviderName[] = ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages'];

/** The reconcile profile's callback fault: the final status callback never comes, the earlier ones do. */
describe.each(PROVIDERS)('Class: CallbackSender, dropFinalCallbackRate 1: %s', (provider) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-sender-'));
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, stateDir, faults: { ...NO_FAULTS, dropFinalCallbackRate: 1 } });
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('sends `sent` (in the provider\'s words), never `delivered`, while the provider shows the message delivered', async () => {
    const { message, deliveries } = await stack.sender.send(provider, { final: 'delivered' });
    expect(deliveries.map((d) => d.status)).toEqual([providerStatus(provider, 'sent')]);
    expect(message.status).toBe('delivered');
  });

  it('sends nothing for a message whose only callback is the final one', async () => {
    const { message, deliveries } = await stack.sender.send(provider, { final: 'failed' });
    expect(deliveries).toEqual([]);
    expect(message.status).toBe(providerStatus(provider, 'failed'));
  });
});
