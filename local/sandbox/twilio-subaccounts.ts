import { randomBytes } from 'node:crypto';

/** A Twilio subaccount as the sandbox holds it (the Account resource's fields). */
export interface SandboxSubaccount {
  readonly sid: string;
  /** Its own auth token: signs its callbacks, and authenticates API calls on its own resources. */
  authToken: string;
  friendlyName: string;
  status: 'active' | 'suspended' | 'closed';
  readonly dateCreated: number;
  dateUpdated: number;
}

/**
 * The subaccounts of the sandbox's Twilio main account (https://www.twilio.com/docs/iam/api/subaccounts):
 * created through `POST /2010-04-01/Accounts.json` or directly by tests and the chaos run, each with its
 * own SID and auth token.
 */
export class TwilioSubaccounts {
  readonly #bySid = new Map<string, SandboxSubaccount>();

  /** A new subaccount; Twilio's default name when none is given. */
  create(friendlyName: string | undefined, now: number): SandboxSubaccount {
    const subaccount: SandboxSubaccount = {
      sid: 'AC' + randomBytes(16).toString('hex'),
      authToken: randomBytes(16).toString('hex'),
      friendlyName: friendlyName ?? `SubAccount Created at ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')}`,
      status: 'active',
      dateCreated: now,
      dateUpdated: now,
    };
    this.#bySid.set(subaccount.sid, subaccount);
    return subaccount;
  }

  get(sid: string): SandboxSubaccount | undefined {
    return this.#bySid.get(sid);
  }

  /** In the order they were created. */
  list(): readonly SandboxSubaccount[] {
    return [...this.#bySid.values()];
  }
}
