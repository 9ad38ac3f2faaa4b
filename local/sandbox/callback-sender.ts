import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { buildCallback, type CallbackSigningSecrets, type SignedCallback } from '../../functions/providers/callback-builder';
import { NO_FAULTS, type FaultProfile } from './fault-profile';
import type { ProviderSandbox } from './provider-sandbox';
import { providerStatus, type LifeStage, type SandboxMessage } from './sandbox-message';

/** How a demo message ends at the provider. `sent` = never gets a final receipt (stays non-terminal for SMS). */
export type FinalStatus = 'delivered' | 'undelivered' | 'failed' | 'sent';

export interface SendOptions {
  readonly mms?: boolean;
  readonly final?: FinalStatus;
  readonly body?: string;
  /**
   * Twilio: send it from this subaccount of the sandbox's main account, whose callbacks go to
   * `callbackUrl` signed with the subaccount's own auth token (as Twilio signs them).
   */
  readonly subaccount?: { readonly sid: string; readonly callbackUrl: string };
}

export interface CallbackDelivery {
  readonly status: string;
  /** HTTP status our endpoint answered, 0 when the request failed. */
  readonly answered: number;
}

/**
 * Plays the provider's side of a message's life: stores it in the sandbox, walks it through its
 * statuses and POSTs a correctly signed status callback for each change after the first (no provider
 * calls back for the initial status), with the profile's duplicate / reordered / dropped callbacks
 * (any callback, or only the final one).
 */
export class CallbackSender {
  readonly #sandbox: ProviderSandbox;
  readonly #secrets: CallbackSigningSecrets;
  readonly #callbackUrl: (provider: ProviderName) => string;
  readonly #random: () => number;
  faults: FaultProfile;

  constructor(options: {
    sandbox: ProviderSandbox;
    secrets: CallbackSigningSecrets;
    callbackUrl: (provider: ProviderName) => string;
    faults?: FaultProfile;
    random?: () => number;
  }) {
    this.#sandbox = options.sandbox;
    this.#secrets = options.secrets;
    this.#callbackUrl = options.callbackUrl;
    this.faults = options.faults ?? NO_FAULTS;
    this.#random = options.random ?? Math.random;
  }

  /** Sends one message and its callbacks; resolves once every callback was answered. */
  async send(provider: ProviderName, options: SendOptions = {}): Promise<{ message: SandboxMessage; deliveries: CallbackDelivery[] }> {
    const mms = options.mms ?? false;
    const subaccount = options.subaccount === undefined ? undefined : this.#sandbox.twilioSubaccount(options.subaccount.sid);
    if (options.subaccount !== undefined && (provider !== 'twilio' || subaccount === undefined)) {
      throw new RangeError(`no sandbox Twilio subaccount ${options.subaccount.sid}`);
    }
    const final = options.final ?? 'delivered';
    const walk = statusWalk(provider, final, mms);
    const message = this.#sandbox.createMessage(provider, {
      body: options.body ?? 'Sandbox message: appointment on Tuesday at 10:00',
      media: mms ? 1 : 0,
      status: walk[0]!,
      ...(subaccount === undefined ? {} : { account: subaccount.sid }),
    });
    const url = options.subaccount?.callbackUrl ?? this.#callbackUrl(provider);
    // Each subaccount signs with its own token, read at send time (a rotation takes effect at once).
    const secrets = () => (subaccount === undefined ? this.#secrets : { ...this.#secrets, twilio: { accountSid: subaccount.sid, authToken: subaccount.authToken } });
    const callbacks = walk.slice(1).map((status) => ({ status, callback: () => buildCallback(message, status, url, secrets()) }));

    // The store always ends at the last status; callbacks may arrive in another order, or twice.
    message.status = walk[walk.length - 1]!;
    let order = callbacks;
    if (callbacks.length > 1 && this.#random() < this.faults.reorderCallbackRate) order = [...callbacks].reverse();
    const deliveries: CallbackDelivery[] = [];
    // Drawn only when the fault is on, so the other profiles' seeded draws stay as they were.
    const dropFinal = this.faults.dropFinalCallbackRate > 0 && this.#random() < this.faults.dropFinalCallbackRate;
    for (const { status, callback } of order) {
      if (dropFinal && status === message.status) continue;
      if (this.#random() < this.faults.dropCallbackRate) continue;
      const copies = this.#random() < this.faults.duplicateCallbackRate ? 2 : 1;
      for (let i = 0; i < copies; i++) deliveries.push({ status, answered: await post(callback()) });
    }
    return { message, deliveries };
  }
}

/** POSTs a callback, retrying 5xx and connection failures a few times as providers do. */
async function post(callback: SignedCallback): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(callback.url, { method: 'POST', headers: callback.headers, body: callback.body });
      await response.arrayBuffer();
      if (response.status < 500 || attempt >= 5) return response.status;
    } catch {
      if (attempt >= 5) return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

/**
 * The statuses a message walks through, in the provider's words, ending in `final` (`sent`: handed
 * on, no final receipt ever comes). The first is the status at creation, which no provider calls
 * back for.
 */
export function statusWalk(provider: ProviderName, final: Exclude<LifeStage, 'queued'>, mms: boolean): string[] {
  const stages: LifeStage[] =
    // SignalWire never gets a delivery receipt for MMS: it stays at `sent`.
    mms && (provider === 'signalwire-compat' || provider === 'signalwire-rest') && final === 'delivered' ? ['queued', 'sent']
    : final === 'failed' ? ['queued', 'failed']
    : final === 'sent' ? ['queued', 'sent']
    : ['queued', 'sent', final];
  return stages.map((stage) => providerStatus(provider, stage));
}
