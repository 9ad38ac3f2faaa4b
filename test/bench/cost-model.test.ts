import { describe, expect, it } from 'vitest';
import { costPerMillion, MONTHLY_MESSAGES, type CostInputs } from '../../bench/cost-model';
import { deploymentFacts } from '../../bench/deployment-fixed-costs';

const ZERO: CostInputs = {
  sqsCallsPerMessage: 0,
  secretsCallsPerMessage: 0,
  receiverMemoryMb: 256,
  redactorMemoryMb: 256,
  receiverTerminalMs: 0,
  receiverIgnoredMs: 0,
  redactorBilledMsPerRecord: 0,
  redactorInvocationsPerMessage: 0,
  appLogBytesPerMessage: 0,
  platformLogBytesPerInvocation: 0,
  accessLogBytesPerCallback: 0,
  metrics: 0,
  alarmMetrics: 0,
  dashboards: 0,
  secrets: 0,
};

describe('Function: costPerMillion (all-in)', () => {
  it('prices log bytes at $0.50 per GB, access lines per callback and only behind the HTTP API', () => {
    const cost = costPerMillion({ ...ZERO, appLogBytesPerMessage: 1024 ** 3 / 1e6, accessLogBytesPerCallback: 1024 ** 3 / 1e6 });
    expect(cost.logsApp).toBeCloseTo(0.5, 10);
    expect(cost.logsAccess).toBeCloseTo(1.0, 10);
    // Plus the receiver's two request fees ($0.40), which no input here removes.
    expect(cost.withFunctionUrl).toBeCloseTo(0.4 + 0.5, 10);
    expect(cost.withHttpApi).toBeCloseTo(0.4 + 0.5 + 2 + 1.0, 10);
  });

  it('spreads the monthly fees of metrics, alarms, dashboard and secrets over the stated volume', () => {
    const cost = costPerMillion({ ...ZERO, metrics: 10, alarmMetrics: 20, dashboards: 1, secrets: 5 });
    expect(cost.fixedPerMonth).toBeCloseTo(3 + 2 + 3 + 2, 10);
    expect(cost.metrics + cost.alarms + cost.dashboard + cost.secretsStorage).toBeCloseTo((10 * 1e6) / MONTHLY_MESSAGES, 10);
  });

  it('counts platform lines for every invocation: two receiver calls and the redactor share', () => {
    const cost = costPerMillion({ ...ZERO, platformLogBytesPerInvocation: 1024 ** 3 / 1e6, redactorInvocationsPerMessage: 0.5 });
    expect(cost.logsPlatform).toBeCloseTo(0.5 * 2.5, 10);
  });
});

describe('Function: deploymentFacts', () => {
  it('reads the alarms, their metrics, the dashboard, the secrets and the access log format from the synthesised stack', () => {
    const facts = deploymentFacts([{ route: 'twilio-bench', provider: 'twilio', secretId: 'message-redactor/twilio' }]);
    expect(facts).toMatchObject({ alarms: 19, dashboards: 1, secrets: 1 });
    expect(facts.alarmMetrics).toBeGreaterThan(facts.alarms);
    expect(JSON.parse(facts.accessLogLine)).toEqual({
      requestId: 'Kx3bWjgqIAMEVzQ=', ip: '54.172.60.3', status: '200', errorType: '-',
    });
  });
});
