/** The providers this system can redact at. Adding one means adding its adapter and a line here. */
export const PROVIDER_NAMES = ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx'] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * Providers whose adapters are written and tested but not yet registered: they join PROVIDER_NAMES
 * (and with it the config schema, the queue's job schema and the registries) together with their
 * local sandbox, which every registered provider has. Vonage: see docs/providers.md.
 */
export const STAGED_PROVIDER_NAMES = ['vonage-sms', 'vonage-messages'] as const;

export type StagedProviderName = (typeof STAGED_PROVIDER_NAMES)[number];
