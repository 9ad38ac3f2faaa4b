import type { ProviderName } from '../core/provider-rules/provider-name';
import type { CallbackProvider, ListingProvider, RedactionProvider } from './provider';
import { carrierXCallbacks, carrierXListing, carrierXRedaction } from './carrierx';
import { signalWireCompatCallbacks, signalWireCompatListing, signalWireCompatRedaction } from './signalwire-compat';
import { signalWireRestCallbacks, signalWireRestListing, signalWireRestRedaction } from './signalwire-rest';
import { twilioCallbacks, twilioListing, twilioRedaction } from './twilio';
import { vonageMessagesCallbacks, vonageMessagesListing, vonageMessagesRedaction } from './vonage-messages';
import { vonageSmsCallbacks, vonageSmsListing, vonageSmsRedaction } from './vonage-sms';

/**
 * The provider registry, one total record per side: the type checker refuses a provider name without
 * an adapter, so no runtime check is needed. The receiver imports only `callbackProviders`, the
 * redactor only `redactionProviders` and the sweep only `listingProviders` (esbuild drops the rest).
 */
export const callbackProviders: Readonly<Record<ProviderName, CallbackProvider>> = {
  twilio: twilioCallbacks,
  'signalwire-compat': signalWireCompatCallbacks,
  'signalwire-rest': signalWireRestCallbacks,
  carrierx: carrierXCallbacks,
  'vonage-sms': vonageSmsCallbacks,
  'vonage-messages': vonageMessagesCallbacks,
};

export const redactionProviders: Readonly<Record<ProviderName, RedactionProvider>> = {
  twilio: twilioRedaction,
  'signalwire-compat': signalWireCompatRedaction,
  'signalwire-rest': signalWireRestRedaction,
  carrierx: carrierXRedaction,
  'vonage-sms': vonageSmsRedaction,
  'vonage-messages': vonageMessagesRedaction,
};

/** The listing halves, for the reconciliation sweep and `verify`. */
export const listingProviders: Readonly<Record<ProviderName, ListingProvider>> = {
  twilio: twilioListing,
  'signalwire-compat': signalWireCompatListing,
  'signalwire-rest': signalWireRestListing,
  carrierx: carrierXListing,
  'vonage-sms': vonageSmsListing,
  'vonage-messages': vonageMessagesListing,
};
