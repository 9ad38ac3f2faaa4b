import { HttpTransportError, SubaccountTokenError } from '../core/runtime/errors';
import type { HttpClient } from '../core/runtime/http-client';
import { parseJsonObject } from './http-helpers';

/** What fetching a subaccount's token needs: where, with which credentials, for which subaccount. */
export interface SubaccountTokenRequest {
  readonly http: HttpClient;
  /** Twilio's API origin (or the account's `apiBaseUrl`). */
  readonly origin: string;
  /** The parent's `Authorization` header (Basic AccountSid:AuthToken; a Main API key is not confirmed to work). */
  readonly authorization: string;
  /** The parent's Account SID: the subaccount must be owned by it. */
  readonly parentSid: string;
  readonly subaccountSid: string;
}

/**
 * A Twilio subaccount's auth token, fetched with its parent's credentials: `GET
 * /2010-04-01/Accounts/{SubaccountSid}.json` returns the Account resource with `auth_token`
 * (https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource), and a main account's
 * credentials may read any of its subaccounts (https://www.twilio.com/docs/iam/api/subaccounts).
 * The token is a full API credential of the subaccount: it is returned to the caller's cache and never
 * logged; errors name the subaccount and a code, never the answer's body.
 * @throws SubaccountTokenError (retryable for transport failures, 429 and 5xx; not for any other answer)
 */
export async function fetchTwilioSubaccountToken(request: SubaccountTokenRequest): Promise<string> {
  const { subaccountSid } = request;
  let answer;
  try {
    answer = await request.http.request({
      method: 'GET',
      url: `${request.origin}/2010-04-01/Accounts/${subaccountSid}.json`,
      headers: { authorization: request.authorization, accept: 'application/json' },
    });
  } catch (error) {
    if (error instanceof HttpTransportError) throw new SubaccountTokenError(subaccountSid, error.code, true, error);
    throw error;
  }
  if (answer.status !== 200) {
    // 401/403: the parent's credentials are wrong or cannot read this account; 404: no such subaccount
    // under this parent. Neither heals by retrying.
    throw new SubaccountTokenError(subaccountSid, `http-${answer.status}`, answer.status === 429 || answer.status >= 500);
  }
  const account = parseJsonObject(answer.body);
  if (account === undefined) throw new SubaccountTokenError(subaccountSid, 'unparseable-response', true);
  // The answer must be this subaccount, owned by this parent (the parent's own resource, or another
  // owner's account, would verify callbacks with the wrong token).
  if (!sameSid(account.sid, subaccountSid) || !sameSid(account.owner_account_sid, request.parentSid)) {
    throw new SubaccountTokenError(subaccountSid, 'not-a-subaccount-of-parent', false);
  }
  if (typeof account.auth_token !== 'string' || account.auth_token.length < 16) {
    throw new SubaccountTokenError(subaccountSid, 'no-auth-token', false);
  }
  return account.auth_token;
}

/** Twilio SIDs compare without regard to the case of their hex digits. */
function sameSid(value: unknown, sid: string): boolean {
  return typeof value === 'string' && value.toUpperCase() === sid.toUpperCase();
}
