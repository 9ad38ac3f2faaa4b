import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { AccountConfigInput } from '../functions/core/config/config';
import { MessageRedactorStack } from '../infra/redactor-stack';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** What the synthesised stack bills by the month, and what its access log lines look like. */
export interface DeploymentFacts {
  /** Metrics its alarms evaluate (a metric-math alarm is billed per metric in it). */
  readonly alarmMetrics: number;
  readonly alarms: number;
  readonly dashboards: number;
  /** Distinct secrets the accounts reference (API and signing). */
  readonly secrets: number;
  /** One HTTP API access log line in the deployed format, with typical values (a Twilio callback). */
  readonly accessLogLine: string;
}

/** Typical values of the access log's `$context` variables for one provider callback. */
const SAMPLE_CONTEXT: Readonly<Record<string, string>> = {
  requestId: 'Kx3bWjgqIAMEVzQ=',
  requestTime: '30/Nov/2026:07:04:10 +0000',
  'identity.sourceIp': '54.172.60.3',
  'identity.userAgent': 'TwilioProxy/1.1',
  httpMethod: 'POST',
  status: '200',
  'error.responseType': '-',
  responseLength: '17',
  responseLatency: '14',
  integrationStatus: '200',
  integrationLatency: '12',
  integrationErrorMessage: '-',
};

/** Synthesises the stack for the benchmarked accounts (no bundling) and reads its billed parts. */
export function deploymentFacts(accounts: readonly AccountConfigInput[]): DeploymentFacts {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new MessageRedactorStack(app, 'Bench', { accounts: [...accounts] });
  const template = Template.fromStack(stack);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  const alarmMetrics = alarms.reduce((n, alarm) => {
    const metrics = alarm.Properties.Metrics as Array<{ MetricStat?: unknown }> | undefined;
    return n + (metrics === undefined ? 1 : metrics.filter((m) => m.MetricStat !== undefined).length);
  }, 0);
  const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
  const format = (stage?.Properties.AccessLogSettings?.DestinationArn ? stage.Properties.AccessLogSettings.Format : '') as string;
  return {
    alarmMetrics,
    alarms: alarms.length,
    dashboards: Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length,
    secrets: new Set(accounts.flatMap((a) => [a.secretId, ...(a.signingSecretId ? [a.signingSecretId] : [])])).size,
    accessLogLine: format.replace(/\$context\.([\w.]+)/g, (_, name: string) => SAMPLE_CONTEXT[name] ?? '-'),
  };
}
