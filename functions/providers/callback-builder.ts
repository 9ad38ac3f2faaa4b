import { randomUUID } from 'node:crypto';
import type { ProviderName } from '../core/provider-rules/provider-name';
import { CARRIERX_TOKEN_PARAM } from './carrierx';
import { signSignalWireRest } from './signalwire-rest';
import { signTwilioForm } from './twilio-signature';
import { signVonageMessagesJwt } from './vonage-messages';
import type { VonageSignatureMethod } from './vonage-secret';
import { signVonageSms } from './vonage-sms';

/** The provider-side secrets the sandbox signs callbacks with (the same values are in the local secrets). */
export interface CallbackSigningSecrets {
  readonly twilio: { readonly accountSid: string; readonly authToken: string };
  readonly signalwire: { readonly projectId: string; readonly signingKey: string };
  readonly carrierx: { readonly callbackToken: string };
  /** One Vonage account (API key) signs both APIs' webhooks with its signature secret. */
  readonly vonage: { readonly apiKey: string; readonly signatureSecret: string; readonly signatureMethod?: VonageSignatureMethod };
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
  /** The numbers, where the sandbox knows them (Vonage's callbacks carry them); made-up ones otherwise. */
  readonly to?: string | undefined;
  readonly from?: string | undefined;
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
    case 'vonage-sms':
      return vonageDeliveryReceipt(message, status, callbackUrl, secrets.vonage);
    case 'vonage-messages':
      return vonageMessageStatus(message, status, callbackUrl, secrets.vonage);
  }
}

/** SMS API delivery-receipt error codes: 0 delivered, 1 unknown, 2 absent subscriber (temporary). */
const VONAGE_DLR_ERROR: Readonly<Record<string, string>> = { delivered: '0', expired: '2', failed: '1', rejected: '1' };

/**
 * An SMS API delivery receipt as Vonage posts it with signed webhooks on (form POST): the receipt's
 * fields, the phone numbers among them, plus `timestamp` (now), `nonce` and `sig` over all of them.
 */
function vonageDeliveryReceipt(message: CallbackMessage, status: string, callbackUrl: string, vonage: CallbackSigningSecrets['vonage']): SignedCallback {
  const now = new Date();
  const scts = now.toISOString().replace(/[-T:]/g, '').slice(2, 12);
  const params: Record<string, string> = {
    msisdn: (message.to ?? '447700900000').replace(/^\+/, ''),
    to: (message.from ?? '447700900001').replace(/^\+/, ''),
    'network-code': '23410',
    messageId: message.id,
    price: '0.03330000',
    status,
    scts,
    'err-code': VONAGE_DLR_ERROR[status] ?? '0',
    'api-key': vonage.apiKey,
    'message-timestamp': now.toISOString().replace('T', ' ').slice(0, 19),
    timestamp: String(Math.floor(now.getTime() / 1000)),
    nonce: randomUUID(),
  };
  const sig = signVonageSms(params, vonage.signatureSecret, vonage.signatureMethod ?? 'md5hash');
  return { url: callbackUrl, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...params, sig }).toString() };
}

/**
 * A Messages API status webhook: JSON with the numbers, the channel and, for rejected or
 * undeliverable messages, an RFC 7807 `error`; `Authorization: Bearer` an HS256 JWT whose
 * `payload_hash` is the SHA-256 of exactly these bytes.
 */
function vonageMessageStatus(message: CallbackMessage, status: string, callbackUrl: string, vonage: CallbackSigningSecrets['vonage']): SignedCallback {
  const now = new Date();
  const failed = status === 'rejected' || status === 'undeliverable';
  const body = JSON.stringify({
    message_uuid: message.id,
    to: message.to ?? '447700900000',
    from: message.from ?? '447700900001',
    timestamp: now.toISOString(),
    status,
    channel: message.media.length > 0 ? 'mms' : 'sms',
    ...(failed ? { error: { type: 'https://developer.vonage.com/api-errors/messages#1330', title: 1330, detail: 'The message could not be delivered', instance: randomUUID() } } : {}),
    usage: { currency: 'EUR', price: '0.0333' },
  });
  const jwt = signVonageMessagesJwt(vonage.signatureSecret, body, { apiKey: vonage.apiKey, iat: Math.floor(now.getTime() / 1000), jti: randomUUID() });
  return { url: callbackUrl, headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` }, body };
}

function formCallback(url: string, params: Array<[string, string]>, header: string, signature: string): SignedCallback {
  return {
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', [header]: signature },
    body: new URLSearchParams(params).toString(),
  };
}
