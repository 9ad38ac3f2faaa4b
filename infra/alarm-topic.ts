import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ConfigError } from '../functions/core/runtime/errors';

/** One address, no display name: what an SNS email subscription takes. */
const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

/**
 * Validates the `alarmEmail` context value. Undefined means no topic; anything else must be one
 * plain email address, and the error names the key.
 */
export function parseAlarmEmail(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !EMAIL.test(value)) {
    throw new ConfigError('context alarmEmail must be one email address (cdk deploy -c alarmEmail=ops@example.com)');
  }
  return value;
}

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** The address that receives every alarm (SNS sends it a confirmation email first). */
  readonly email: string;
}

/**
 * The SNS topic the app's alarms notify, with one email subscription. TLS-only (a topic policy denies
 * `aws:SecureTransport = false`). Not KMS-encrypted: it carries alarm state changes (names,
 * thresholds, metric values), never message data, and CloudWatch cannot publish to a topic under
 * the AWS-managed SNS key.
 */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  /** The action to pass as the construct's `alarmActions`. */
  public readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'message-redactor alarms', enforceSSL: true });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.action = new cloudwatchActions.SnsAction(this.topic);
  }
}
