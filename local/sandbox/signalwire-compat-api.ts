import { SIGNALWIRE_UNCAPPED_METHODS } from './sandbox-api';
import { twilioStyleApi } from './twilio-style-api';

/**
 * SignalWire's Compatibility (cXML) Messages API. The docs show `/api/laml/2010-04-01/Accounts/{project}/
 * Messages[/{Sid}]`; the official `@signalwire/compatibility-api` client calls Twilio's paths
 * (`/2010-04-01/…json`) on the space host. Both are served. Basic auth project:api token. Counts and
 * price are numbers, the list has a `Status` filter, and a redaction refused answers 422.
 */
export const SIGNALWIRE_COMPAT_API = twilioStyleApi({
  provider: 'signalwire-compat',
  roots: ['/api/laml/2010-04-01', '/2010-04-01'],
  jsonSuffixOptional: true,
  account: (c) => ({ id: c.signalwire.projectId, token: c.signalwire.apiToken }),
  // SignalWire lists its cXML error codes on one page (no page per code).
  moreInfo: () => 'https://developer.signalwire.com/compatibility-api/reference/error-codes',
  numericCounts: true,
  statusFilter: true,
  uncappedMethods: SIGNALWIRE_UNCAPPED_METHODS,
  refusals: {
    bodyNotEmpty: { status: 422, code: 'body_must_be_empty', message: 'Body must be an empty string' },
    inProgress: { status: 422, code: 'message_in_progress', message: 'Message cannot be updated while in progress' },
  },
});
