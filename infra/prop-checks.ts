import { Token, type Duration } from 'aws-cdk-lib';

/** Collects range problems with messages that name the prop and its allowed range. */
export class Checker {
  constructor(private readonly problems: string[]) {}

  integer(name: string, value: number, min: number, max: number): void {
    if (!known(value)) return;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} (${value}) must be a whole number from ${min} to ${max}`);
    }
  }

  number(name: string, value: number, min: number, max: number): void {
    if (!known(value)) return;
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${name} (${value}) must be a number from ${min} to ${max}`);
    }
  }

  /** Lambda, SQS and CloudWatch take whole seconds (HTTP_TIMEOUT_MS whole milliseconds): no silent rounding. */
  duration(name: string, value: Duration, min: Duration, max: Duration, unit: 'seconds' | 'milliseconds' = 'seconds'): void {
    if (!known(value)) return;
    const ms = value.toMilliseconds({ integral: false });
    if (ms < min.toMilliseconds() || ms > max.toMilliseconds()) {
      this.problems.push(`${name} (${value.toHumanString()}) must be from ${min.toHumanString()} to ${max.toHumanString()}`);
    } else if (!Number.isInteger(unit === 'seconds' ? ms / 1000 : ms)) {
      this.problems.push(`${name} (${value.toHumanString()}) must be a whole number of ${unit}`);
    }
  }
}

/** Tokens (e.g. CfnParameter values) are only known at deploy time: range checks skip them. */
export function known(value: number | Duration): boolean {
  return typeof value === 'number' ? !Token.isUnresolved(value) : !value.isUnresolved();
}

export function seconds(value: Duration | undefined): number {
  return value === undefined ? 0 : value.toSeconds({ integral: false });
}

export function milliseconds(value: Duration): number {
  return value.toMilliseconds({ integral: false });
}

