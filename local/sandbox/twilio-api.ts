import { twilioStyleApi } from './twilio-style-api';

/**
 * Twilio's Programmable Messaging API (`/2010-04-01/Accounts/{AccountSid}/Messages…json`), Basic auth
 * AccountSid:AuthToken. Redaction is `POST …/Messages/{Sid}.json` with `Body=`: a non-empty Body is
 * error 30400 here, a message not yet complete error 20009 ("cannot delete or redact until complete").
 * Also the Accounts resource: subaccounts, each with its own auth token, whose messages the main
 * account's credentials reach too.
 */
export const TWILIO_API = twilioStyleApi({
  provider: 'twilio',
  roots: ['/2010-04-01'],
  jsonSuffixOptional: false,
  account: (c) => ({ id: c.twilio.accountSid, token: c.twilio.authToken }),
  moreInfo: (code) => `https://www.twilio.com/docs/errors/${code}`,
  numericCounts: false,
  statusFilter: false,
  subaccounts: true,
  refusals: {
    bodyNotEmpty: { status: 400, code: 30400, message: 'Body must be empty to redact a message' },
    inProgress: { status: 400, code: 20009, message: 'Cannot redact a message that is not complete' },
  },
});
