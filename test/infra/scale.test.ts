import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { AccountConfigInput } from '../../functions/core/config/config';
import { ConfigError } from '../../functions/core/runtime/errors';
import { MessageRedactor, type MessageRedactorProps } from '../../infra/message-redactor';

/** CloudFormation's and IAM's limits a deployment must stay inside (what a failed deploy would name). */
const LIMITS = { resources: 500, templateBytes: 1_000_000, environmentBytes: 4096, rolePolicyChars: 10_240 };

const clinics = (n: number, secret: (i: number) => string = (i) => `message-redactor/clinic-${i}`): AccountConfigInput[] =>
  Array.from({ length: n }, (_, i) => ({ route: `clinic-${i}`, provider: 'twilio', secretId: secret(i) }));

function synth(props: MessageRedactorProps, nag = false) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Scale');
  const redactor = new MessageRedactor(stack, 'MessageRedactor', props);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = app.synth().getStackByName('Scale').template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  return { redactor, template, assertions: Template.fromJSON(template) };
}

describe('Scale: thousands of accounts in one stack', () => {
  it('synthesises 10,000 accounts under 200 resources, every template, environment and policy inside its limit, cdk-nag clean', () => {
    const { template } = synth({ accounts: clinics(10_000), secretNamePrefix: 'message-redactor/' }, true);
    const resources = Object.values(template.Resources);
    expect(resources.length).toBeLessThan(200);
    expect(JSON.stringify(template).length).toBeLessThan(LIMITS.templateBytes);
    for (const fn of resources.filter((r) => r.Type === 'AWS::Lambda::Function')) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      // A reference (a queue URL) resolves to at most about 150 bytes: count 256.
      const bytes = Object.entries(variables).reduce((sum, [key, value]) => sum + key.length + (typeof value === 'string' ? value.length : 256), 0);
      expect(bytes).toBeLessThan(LIMITS.environmentBytes / 2);
    }
    for (const policy of resources.filter((r) => r.Type === 'AWS::IAM::Policy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument).length).toBeLessThan(LIMITS.rolePolicyChars / 2);
    }
    // One callback route, one sweep schedule, one audit schedule, one retries alarm for the one provider.
    expect(resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey)).toEqual(['POST /callbacks/{route}']);
    expect(resources.filter((r) => r.Type === 'AWS::Events::Rule')).toHaveLength(2);
    expect(resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties.AlarmName ?? r.Properties.AlarmDescription).includes('redactions are being retried'))).toHaveLength(1);
  }, 60_000);

  it('synthesises 10,000 Twilio subaccounts under one parent secret under 200 resources, every template, environment and policy inside its limit, cdk-nag clean', () => {
    const subaccounts = Array.from({ length: 10_000 }, (_, i) => ({ route: `clinic-${i}`, accountSid: `AC${i.toString(16).padStart(32, '0')}` }));
    const { template } = synth({ accounts: [{ provider: 'twilio', secretId: 'message-redactor/twilio-parent', subaccounts }] }, true);
    const resources = Object.values(template.Resources);
    expect(resources.length).toBeLessThan(200);
    expect(JSON.stringify(template).length).toBeLessThan(LIMITS.templateBytes);
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    for (const fn of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const bytes = Object.entries(variables).reduce((sum, [key, value]) => sum + key.length + (typeof value === 'string' ? value.length : 256), 0);
      expect(bytes).toBeLessThan(LIMITS.environmentBytes / 2);
    }
    // The receiver caches each subaccount's token for an hour by default.
    expect(functions.map((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.SUBACCOUNT_TOKEN_MAX_AGE_SECONDS))
      .toContain('3600');
    // One secret: granted by name, no prefix needed, in policies far inside IAM's limit.
    const policies = resources.filter((r) => r.Type === 'AWS::IAM::Policy');
    for (const policy of policies) expect(JSON.stringify(policy.Properties.PolicyDocument).length).toBeLessThan(LIMITS.rolePolicyChars / 2);
    const secretStatements = policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement)
      .filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(secretStatements).toHaveLength(3);
    for (const statement of secretStatements) expect(JSON.stringify(statement.Resource)).toContain(':secret:message-redactor/twilio-parent-??????');
    expect(resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey)).toEqual(['POST /callbacks/{route}']);
  }, 60_000);

  it('has as many resources at 10,000 accounts as at 101', () => {
    const count = (n: number) => Object.keys(synth({ accounts: clinics(n), secretNamePrefix: 'message-redactor/' }).template.Resources).length;
    expect(count(10_000)).toBe(count(101));
  }, 60_000);

  it('keeps a route per account up to 100 accounts, and shares one above, with metrics by provider', () => {
    const small = synth({ accounts: clinics(100, () => 'message-redactor/parent') }).template;
    const large = synth({ accounts: clinics(101, () => 'message-redactor/parent') }).template;
    const routes = (t: typeof small) => Object.values(t.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes(small)).toHaveLength(100);
    expect(routes(large)).toHaveLength(1);
    const detail = (t: typeof small) => Object.values(t.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.METRIC_DETAIL);
    expect(detail(small)).toEqual([undefined, undefined, undefined]);
    expect(detail(large)).toEqual(['provider', 'provider', 'provider']);
    const retries = Object.values(large.Resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties.AlarmDescription).includes('redactions are being retried'))!;
    expect(retries.Properties).toMatchObject({ MetricName: 'RedactionRetries', Dimensions: [{ Name: 'provider', Value: 'twilio' }] });
  });

  it('grants secrets by their name prefix in one statement, or refuses more by name than IAM can hold, naming the limit', () => {
    const { assertions } = synth({ accounts: clinics(300), secretNamePrefix: 'message-redactor/' });
    const statements = Object.values(assertions.findResources('AWS::IAM::Policy')).flatMap((p) => (p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>))
      .filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(statements).toHaveLength(3);
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':secret:message-redactor/*');
    expect(() => synth({ accounts: clinics(101) })).toThrow(/101 distinct secrets are more than 100 .*IAM: 10,240 characters of inline policy per role.*secretNamePrefix/);
    expect(() => synth({ accounts: [...clinics(2), { route: 'other', provider: 'twilio', secretId: 'other/secret' }], secretNamePrefix: 'message-redactor/' }))
      .toThrow('accounts[2].secretId (other/secret) does not start with secretNamePrefix message-redactor/');
    // A parent's problem is named once, at the parent's entry, not once per subaccount.
    const subaccounts = Array.from({ length: 500 }, (_, i) => ({ accountSid: `AC${i.toString(16).padStart(32, '0')}` }));
    expect(() => synth({ accounts: [...clinics(1), { provider: 'twilio', secretId: 'other/parent', subaccounts }], secretNamePrefix: 'message-redactor/' }))
      .toThrow(new ConfigError('invalid accounts config: accounts[1].secretId (other/parent) does not start with secretNamePrefix message-redactor/'));
  });

  it('refuses what a deployment could not hold: a route per account past the HTTP API quota, per-route throttles on the shared route', () => {
    expect(() => synth({ accounts: clinics(301, () => 'message-redactor/parent'), accountResources: 'per-account' }))
      .toThrow("accountResources 'per-account' with 301 accounts needs a route each: API Gateway allows 300 routes per HTTP API");
    expect(() => synth({ accounts: clinics(101, () => 'message-redactor/parent'), routeThrottling: { 'clinic-1': { rateLimit: 5 } } }))
      .toThrow('routeThrottling needs a route per account (accountResources \'per-account\'); with 101 account(s) the callbacks share one route (more than 100 accounts)');
  });
});
