import { rfc2822, type Answer, type ApiContext, type ApiRequest, type ApiRoute } from './sandbox-api';
import type { SandboxSubaccount } from './twilio-subaccounts';

/** What the Accounts resource needs from the Twilio dialect: its errors and the path's root. */
export interface AccountsScope {
  readonly root: string;
  readonly error: (e: { status: number; code: number; message: string }) => Answer;
  readonly notFound: (path: string) => Answer;
}

/** When the sandbox's main account was "created": a fixed date, so its resource is stable. */
const MAIN_ACCOUNT_CREATED = Date.UTC(2024, 0, 2, 3, 4, 5);

/**
 * Twilio's Account resource for the main account and its subaccounts
 * (https://www.twilio.com/docs/iam/api/account): `POST /Accounts.json` creates a subaccount
 * (FriendlyName), `GET /Accounts.json` lists the main account and its subaccounts, `GET
 * /Accounts/{Sid}.json` fetches one with its `auth_token`, `POST /Accounts/{Sid}.json` updates its
 * FriendlyName or Status. Who may call them is the dialect's `authorized` (the main account's
 * credentials for all of it, a subaccount's for itself).
 */
export function matchAccountsResource(request: ApiRequest, root: string, scope: (root: string) => AccountsScope): ApiRoute | undefined {
  if (request.path === `${root}/Accounts.json`) {
    return { provider: 'twilio', messageId: '', handle: (req, context) => accountsCollection(scope(root), req, context) };
  }
  const sid = new RegExp(`^${root.replace(/[.]/g, '\\.')}/Accounts/(AC[0-9a-fA-F]{32})\\.json$`).exec(request.path)?.[1];
  if (sid === undefined) return undefined;
  return { provider: 'twilio', account: sid, messageId: '', handle: (req, context) => accountInstance(scope(root), sid, req, context) };
}

function accountsCollection(scope: AccountsScope, request: ApiRequest, context: ApiContext): Answer {
  if (request.method === 'POST') {
    const friendlyName = new URLSearchParams(request.body).get('FriendlyName') ?? undefined;
    if (friendlyName !== undefined && friendlyName.length > 64) return scope.error({ status: 400, code: 20001, message: 'FriendlyName is longer than 64 characters' });
    return { status: 201, body: subaccountResource(scope, context.subaccounts.create(friendlyName, context.store.now()), context) };
  }
  if (request.method !== 'GET') return scope.error({ status: 405, code: 20004, message: 'Method not allowed' });
  const status = request.query.get('Status');
  const friendlyName = request.query.get('FriendlyName');
  const all = [mainResource(scope, context), ...context.subaccounts.list().map((s) => subaccountResource(scope, s, context))]
    .filter((a) => (status === null || a.status === status) && (friendlyName === null || a.friendly_name === friendlyName));
  const size = Math.min(1000, Math.max(1, Number(request.query.get('PageSize') ?? 50) || 50));
  const page = Math.max(0, Number(request.query.get('Page') ?? 0) || 0);
  const items = all.slice(page * size, page * size + size);
  const base = `${scope.root}/Accounts.json`;
  const link = (p: number) => `${base}?PageSize=${size}&Page=${p}`;
  return {
    status: 200,
    body: {
      accounts: items,
      uri: `${base}${request.query.toString() === '' ? '' : `?${request.query.toString()}`}`,
      first_page_uri: link(0),
      next_page_uri: (page + 1) * size < all.length ? `${link(page + 1)}&PageToken=PA${page + 1}` : null,
      previous_page_uri: page > 0 ? link(page - 1) : null,
      page,
      page_size: size,
      start: page * size,
      end: items.length === 0 ? page * size : page * size + items.length - 1,
    },
  };
}

function accountInstance(scope: AccountsScope, sid: string, request: ApiRequest, context: ApiContext): Answer {
  const main = context.credentials.twilio;
  const subaccount = context.subaccounts.get(sid);
  if (sid !== main.accountSid && subaccount === undefined) return scope.notFound(request.path);
  if (request.method === 'POST') {
    if (subaccount === undefined) return { status: 200, body: mainResource(scope, context) };
    const form = new URLSearchParams(request.body);
    const status = form.get('Status');
    if (status !== null && status !== 'active' && status !== 'suspended' && status !== 'closed') {
      return scope.error({ status: 400, code: 20001, message: 'Status must be active, suspended or closed' });
    }
    if (status !== null) subaccount.status = status;
    const friendlyName = form.get('FriendlyName');
    if (friendlyName !== null) subaccount.friendlyName = friendlyName;
    subaccount.dateUpdated = context.store.now();
    return { status: 200, body: subaccountResource(scope, subaccount, context) };
  }
  if (request.method !== 'GET') return scope.error({ status: 405, code: 20004, message: 'Method not allowed' });
  return { status: 200, body: subaccount === undefined ? mainResource(scope, context) : subaccountResource(scope, subaccount, context) };
}

type AccountResource = Record<string, unknown> & { readonly status: string; readonly friendly_name: string };

function mainResource(scope: AccountsScope, context: ApiContext): AccountResource {
  const main = context.credentials.twilio;
  return resource(scope, { sid: main.accountSid, authToken: main.authToken, friendlyName: 'Sandbox main account', status: 'active', dateCreated: MAIN_ACCOUNT_CREATED, dateUpdated: MAIN_ACCOUNT_CREATED }, main.accountSid);
}

function subaccountResource(scope: AccountsScope, subaccount: SandboxSubaccount, context: ApiContext): AccountResource {
  return resource(scope, subaccount, context.credentials.twilio.accountSid);
}

/** The Account resource with the fields twilio-node's AccountInstance reads. */
function resource(scope: AccountsScope, account: SandboxSubaccount, owner: string): AccountResource {
  const uri = `${scope.root}/Accounts/${account.sid}`;
  return {
    auth_token: account.authToken,
    date_created: rfc2822(account.dateCreated),
    date_updated: rfc2822(account.dateUpdated),
    friendly_name: account.friendlyName,
    owner_account_sid: owner,
    sid: account.sid,
    status: account.status,
    subresource_uris: { messages: `${uri}/Messages.json` },
    type: 'Full',
    uri: `${uri}.json`,
  };
}
