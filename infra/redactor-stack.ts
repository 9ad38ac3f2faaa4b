import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
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
}

/** The deployable unit: one {@link MessageRedactor} and the outputs an operator needs. */
export class MessageRedactorStack extends Stack {
  /** The construct, for tests and for stacks that add alarm actions or dashboards. */
  public readonly redactor: MessageRedactor;

  constructor(scope: Construct, id: string, props: MessageRedactorStackProps) {
    super(scope, id, props);
    this.redactor = new MessageRedactor(this, 'MessageRedactor', { ...props.redactor, accounts: props.accounts });

    new CfnOutput(this, 'CallbackBaseUrl', {
      description: 'Configure <this URL><route> as the status callback URL at the provider',
      value: this.redactor.callbackUrl,
    });
    new CfnOutput(this, 'RedactionQueueUrl', { value: this.redactor.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.redactor.deadLetterQueue.queueUrl });
  }
}
