/** The providers this system can redact at. Adding one means adding its adapter and a line here. */
export const PROVIDER_NAMES = ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages'] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];
