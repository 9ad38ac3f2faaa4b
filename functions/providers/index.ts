import { ConfigError } from '../core/errors';
import type { Account } from '../core/config';
import type { ProviderName } from '../core/provider-name';
import type { CallbackProvider, ListingProvider, RedactionProvider } from './provider';
import { carrierXCallbacks, carrierXListing, carrierXRedaction } from './carrierx';
import { signalWireCompatCallbacks, signalWireCompatListing, signalWireCompatRedaction } from './signalwire-compat';
import { signalWireRestCallbacks, signalWireRestListing, signalWireRestRedaction } from './signalwire-rest';
import { twilioCallbacks, twilioListing, twilioRedaction } from './twilio';

/**
 * The provider registry. The receiver imports only `callbackProviders` and the redactor only
 * `redactionProviders`, so each bundle carries just its half of every adapter.
 */
export const callbackProviders: Partial<Record<ProviderName, CallbackProvider>> = {
  twilio: twilioCallbacks,
  'signalwire-compat': signalWireCompatCallbacks,
  'signalwire-rest': signalWireRestCallbacks,
  carrierx: carrierXCallbacks,
};

export const redactionProviders: Partial<Record<ProviderName, RedactionProvider>> = {
  twilio: twilioRedaction,
  'signalwire-compat': signalWireCompatRedaction,
  'signalwire-rest': signalWireRestRedaction,
  carrierx: carrierXRedaction,
};

/** The listing halves, for the reconciliation sweep and `verify`. */
export const listingProviders: Partial<Record<ProviderName, ListingProvider>> = {
  twilio: twilioListing,
  'signalwire-compat': signalWireCompatListing,
  'signalwire-rest': signalWireRestListing,
  carrierx: carrierXListing,
};

/**
 * Fails at synth and cold start when an account names a provider that `registry` cannot serve.
 * Each handler checks its own half, so neither bundle has to import the other's.
 */
export function assertProvidersImplemented(
  accounts: readonly Account[],
  registry: Partial<Record<ProviderName, unknown>>,
): void {
  const missing = accounts
    .map((account, index) => ({ account, index }))
    .filter(({ account }) => registry[account.provider] === undefined)
    .map(({ account, index }) => `accounts[${index}].provider: ${account.provider} is not implemented yet`);
  if (missing.length > 0) throw new ConfigError(`invalid accounts config: ${missing.join('; ')}`);
}
