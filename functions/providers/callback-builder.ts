import type { ProviderName } from '../core/provider-rules/provider-name';
import { CARRIERX_TOKEN_PARAM } from './carrierx';
import { signSignalWireRest } from './signalwire-rest';
import { signTwilioForm } from './twilio-signature';

/** The provider-side secrets the sandbox signs callbacks with (the same values are in the local secrets). */
export interface CallbackSigningSecrets {
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
  readonly signalwire: { readonly projectId: string; readonly signingKey: string };
  readonly carrierx: { readonly callbackToken: string };
}

/** What a status callback says of its message (the sandbox's messages have this shape and more). */
export interface CallbackMessage {
  readonly provider: ProviderName;
  readonly id: string;
  /** SignalWire's and CarrierX's callbacks carry the body. */
  readonly body: string;
  readonly direction: 'inbound' | 'outbound';
  /** Media ids; callbacks carry their count (CarrierX: their URLs). */
  readonly media: readonly string[];
}

/** A status callback ready to POST, signed exactly as the provider signs it. */
export interface SignedCallback {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const PHONE_FROM = '+15005550006';
const PHONE_TO = '+14155552671';

/**
 * Builds the status callback each provider sends, as its docs describe it, including the PII
 * the real ones carry (numbers, and for SignalWire and CarrierX the body), signed with the same
 * `sign…` helpers the receiver verifies with. The sandbox, `smoke`, `trigger`, the tests and the
 * benchmarks send these; no function imports it.
 */
export function buildCallback(
  message: CallbackMessage,
  status: string,
  callbackUrl: string,
  secrets: CallbackSigningSecrets,
): SignedCallback {
  const errorCode = status === 'failed' || status === 'undelivered' ? '30003' : undefined;
  switch (message.provider) {
    case 'twilio': {
      const params: Array<[string, string]> = [
        ['AccountSid', secrets.twilio.accountSid],
        ['ApiVersion', '2010-04-01'],
        ['From', PHONE_FROM],
        ['To', PHONE_TO],
        ['MessageSid', message.id],
        ['SmsSid', message.id],
        ['MessageStatus', status],
        ['SmsStatus', status],
        ...(message.media.length > 0 ? ([['NumMedia', String(message.media.length)]] as Array<[string, string]>) : []),
        ...(errorCode ? ([['ErrorCode', errorCode]] as Array<[string, string]>) : []),
        ...(status === 'delivered' ? ([['RawDlrDoneDate', '2611251530']] as Array<[string, string]>) : []),
      ];
      return formCallback(callbackUrl, params, 'x-twilio-signature', signTwilioForm(secrets.twilio.authToken, callbackUrl, params));
    }
    case 'signalwire-compat': {
      const params: Array<[string, string]> = [
        ['MessageSid', message.id],
        ['MessageStatus', status],
        ['AccountSid', secrets.signalwire.projectId],
        ['From', PHONE_FROM],
        ['To', PHONE_TO],
        ['Body', message.body],
        ['NumMedia', String(message.media.length)],
        ...(errorCode ? ([['ErrorCode', errorCode]] as Array<[string, string]>) : []),
      ];
      return formCallback(callbackUrl, params, 'x-signalwire-signature', signTwilioForm(secrets.signalwire.signingKey, callbackUrl, params));
    }
    case 'signalwire-rest': {
      const body = JSON.stringify({
        id: message.id,
        project_id: secrets.signalwire.projectId,
        status,
        to: PHONE_TO,
        from: PHONE_FROM,
        body: message.body,
        kind: message.media.length > 0 ? 'mms' : 'sms',
        number_of_segments: 1,
        timestamp: new Date().toISOString(),
        error_code: errorCode ?? null,
        error_message: errorCode ? 'Unknown destination handset' : null,
      });
      return {
        url: callbackUrl,
        headers: { 'content-type': 'application/json', 'x-signalwire-signature': signSignalWireRest(secrets.signalwire.signingKey, callbackUrl, body) },
        body,
      };
    }
    case 'carrierx': {
      const url = `${callbackUrl}${callbackUrl.includes('?') ? '&' : '?'}${CARRIERX_TOKEN_PARAM}=${encodeURIComponent(secrets.carrierx.callbackToken)}`;
      const body = JSON.stringify({
        message_sid: message.id,
        status,
        direction: message.direction,
        type: message.media.length > 0 ? 'mms' : 'sms',
        message: message.body,
        media_urls: message.media.map((id) => `https://storage.example/${id}`),
        from: PHONE_FROM.slice(1),
        to: PHONE_TO.slice(1),
        partner_sid: 'e00430c3-a7d0-4666-ab5c-f7202448382f',
        date_status_changed: new Date().toISOString(),
      });
      return { url, headers: { 'content-type': 'application/json' }, body };
    }
  }
}

function formCallback(url: string, params: Array<[string, string]>, header: string, signature: string): SignedCallback {
  return {
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', [header]: signature },
    body: new URLSearchParams(params).toString(),
  };
}
