// The package's public entry: the construct, its props and the types a consumer needs.
export { MessageRedactor, METRIC_NAMESPACE } from './message-redactor';
export type { CallbackEndpoint, MessageRedactorMetrics, MessageRedactorProps, MessageRedactorAlarms, RouteThrottling } from './message-redactor';
export { MessageRedactorStack } from './redactor-stack';
export type { MessageRedactorStackProps } from './redactor-stack';
export type { AuditProps, ReconciliationSweepProps } from './reconciliation-sweep';
export type { AccountConfigInput, AccountsEntryInput, TwilioParentConfigInput } from '../functions/core/config/config';
export type { ProviderName } from '../functions/core/provider-rules/provider-name';
export { METRICS } from '../functions/core/telemetry/telemetry-names';
export { ConfigError } from '../functions/core/runtime/errors';
