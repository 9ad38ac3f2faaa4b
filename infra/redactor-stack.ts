import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic';
import { MessageRedactor, type MessageRedactorProps } from './message-redactor';

/** Props of {@link MessageRedactorStack}: the stack's own props plus the construct's. */
export interface MessageRedactorStackProps extends StackProps {
  /** The provider accounts (see infra/accounts.example.json). */
  readonly accounts: MessageRedactorProps['accounts'];
  /**
   * Further construct props (memory, concurrency, alarms, encryption key, …).
   * @default - the construct's defaults
   */
  readonly redactor?: Omit<MessageRedactorProps, 'accounts'>;
  /**
   * Email address for every alarm: creates an SNS topic with that subscription and adds it to the
   * construct's `alarmActions` (after any given in `redactor`).
   * @default - no topic: alarms only change state (or notify the `redactor.alarmActions` given)
   */
  readonly alarmEmail?: string;
}

/** The deployable unit: one {@link MessageRedactor} and the outputs an operator needs. */
export class MessageRedactorStack extends Stack {
  /** The construct, for tests and for stacks that add alarm actions or dashboards. */
  public readonly redactor: MessageRedactor;
  /** The alarm topic (when `alarmEmail` is set). */
  public readonly alarmTopic?: AlarmTopic;

  constructor(scope: Construct, id: string, props: MessageRedactorStackProps) {
    super(scope, id, props);
    const alarmActions = [...(props.redactor?.alarmActions ?? [])];
    if (props.alarmEmail !== undefined) {
      this.alarmTopic = new AlarmTopic(this, 'Alarms', { email: props.alarmEmail });
      alarmActions.push(this.alarmTopic.action);
    }
    this.redactor = new MessageRedactor(this, 'MessageRedactor', { ...props.redactor, alarmActions, accounts: props.accounts });

    new CfnOutput(this, 'CallbackBaseUrl', {
      description: 'Configure <this URL><route> as the status callback URL at the provider',
      value: this.redactor.callbackUrl,
    });
    new CfnOutput(this, 'RedactionQueueUrl', { value: this.redactor.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.redactor.deadLetterQueue.queueUrl });
    if (this.redactor.sweep !== undefined) {
      new CfnOutput(this, 'EvidenceBucketName', { description: 'Where the audit writes its reports (npm run sweep -- audit --evidence-bucket)', value: this.redactor.sweep.evidenceBucket.bucketName });
    }
  }
}
