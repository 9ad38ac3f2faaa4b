import type { Account } from '../config/config';
import type { ListedMessage } from './listed-message';
import { dueAtOf } from './listed-message-decision';

/** What `verify` found for one provider status. Ids only: the evidence names messages, never content. */
export interface StatusFindings {
  readonly status: string;
  /** Messages listed with this status. */
  listed: number;
  /** Of those, messages still holding a body. */
  held: number;
  /** Finished messages past their retention that still hold a body: what must not exist. */
  heldPastRetention: number;
  /** Finished messages past their retention whose body the provider does not let us read. */
  unverifiable: number;
  /** The one held past retention the longest. */
  oldest?: { readonly id: string; readonly dueAt: string };
}

export interface VerifyReport {
  readonly route: string;
  readonly provider: string;
  readonly from: string;
  readonly to: string;
  /** When retention was judged. */
  readonly at: string;
  readonly statuses: StatusFindings[];
}

export function newVerifyReport(account: Account, from: Date, to: Date, at: Date): VerifyReport {
  return { route: account.route, provider: account.provider, from: from.toISOString(), to: to.toISOString(), at: at.toISOString(), statuses: [] };
}

/** Adds one listed message to the report, judging retention with the same rule the sweep uses. */
export function recordListedMessage(report: VerifyReport, message: ListedMessage, account: Account): void {
  let findings = report.statuses.find((line) => line.status === message.status);
  if (findings === undefined) {
    findings = { status: message.status, listed: 0, held: 0, heldPastRetention: 0, unverifiable: 0 };
    report.statuses.push(findings);
    report.statuses.sort((a, b) => a.status.localeCompare(b.status));
  }
  findings.listed++;
  if (message.hasBody === true) findings.held++;
  const dueAt = dueAtOf(message, account);
  if (dueAt === undefined || dueAt.getTime() > Date.parse(report.at) || message.hasBody === false) return;
  if (message.hasBody === 'unknown') {
    findings.unverifiable++;
    return;
  }
  findings.heldPastRetention++;
  if (findings.oldest === undefined || dueAt.getTime() < Date.parse(findings.oldest.dueAt)) {
    findings.oldest = { id: message.id, dueAt: dueAt.toISOString() };
  }
}

/** Bodies held past retention over all statuses: `verify` fails when this is not zero. */
export function heldPastRetention(report: VerifyReport): number {
  return report.statuses.reduce((sum, line) => sum + line.heldPastRetention, 0);
}
