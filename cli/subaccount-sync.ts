import type { TwilioParentConfigInput } from '../functions/core/config/config';
import type { TwilioSubaccountSummary } from '../functions/providers/twilio-subaccount-list';

/** What syncing one parent entry with Twilio's Accounts list found. */
export interface SubaccountSync {
  /** The entry with every active subaccount Twilio lists: the configured ones unchanged, new ones appended. */
  readonly entry: TwilioParentConfigInput;
  /** Active at Twilio, not in the config before: appended (route = their SID). */
  readonly added: readonly string[];
  /** In the config, but suspended or closed at Twilio: kept (their messages stay until Twilio deletes them). */
  readonly notActive: ReadonlyArray<{ readonly sid: string; readonly status: string }>;
  /** In the config, but not a subaccount of this parent at Twilio: kept; their callbacks fail closed (500). */
  readonly unknown: readonly string[];
}

/**
 * Brings a parent entry's subaccount list up to date with what Twilio lists: never removes or renames
 * a configured subaccount (its route, checkpoint and queued jobs depend on it), only appends the new
 * active ones and reports the rest.
 */
export function syncSubaccounts(entry: TwilioParentConfigInput, listed: readonly TwilioSubaccountSummary[]): SubaccountSync {
  const atTwilio = new Map(listed.map((s) => [s.sid.toUpperCase(), s]));
  const configured = new Set(entry.subaccounts.map((s) => s.accountSid.toUpperCase()));
  const added = listed.filter((s) => s.status === 'active' && !configured.has(s.sid.toUpperCase())).map((s) => s.sid);
  const notActive: Array<{ sid: string; status: string }> = [];
  const unknown: string[] = [];
  for (const { accountSid } of entry.subaccounts) {
    const known = atTwilio.get(accountSid.toUpperCase());
    if (known === undefined) unknown.push(accountSid);
    else if (known.status !== 'active') notActive.push({ sid: accountSid, status: known.status });
  }
  return {
    entry: { ...entry, subaccounts: [...entry.subaccounts, ...added.map((accountSid) => ({ accountSid }))] },
    added,
    notActive,
    unknown,
  };
}
