/**
 * What each answer of the callback endpoint means to someone who just sent it a status callback: the
 * receiver's contract in one table. `smoke` and `trigger` print from it, and docs/operate.md shows
 * it (a test keeps the two equal).
 */
export const CALLBACK_ANSWERS = [
  { status: '200', meaning: 'accepted: the callback is authentic and final, so a redaction job was queued' },
  { status: '204', meaning: 'authentic, but nothing to do now: the status is not final (or its retention is left to the sweep)' },
  { status: '400', meaning: 'refused: the endpoint could not read the callback (a field is missing or malformed)' },
  {
    status: '401',
    meaning: 'refused: no signature or token reached the receiver. A proxy or custom domain in front may strip the signature header (CarrierX: the token query parameter; Vonage Messages: the Authorization header)',
  },
  {
    status: '403',
    meaning: "refused: the signature or token did not verify. The secret differs from the endpoint's, or the URL signed is not the account's publicUrl",
  },
  {
    status: '404',
    meaning: 'no such callback route at this URL: check the host (the CallbackBaseUrl output), the path /callbacks/{route}, and the accounts the endpoint was deployed with',
  },
  { status: '405', meaning: 'refused: the endpoint does not take a POST here: this URL is not the callback receiver' },
  { status: '413', meaning: 'refused: the body is larger than maxCallbackBytes (64 KiB by default)' },
  { status: '415', meaning: 'refused: the content type is not the one the provider sends' },
  { status: '429', meaning: 'throttled: the endpoint is over its rate limit (routeThrottling, or the stage throttle); a provider would retry' },
  {
    status: '500',
    meaning: "the account's signing secret is malformed (the receiver's log line names the field, never its value), or Twilio refused to give a subaccount's token to its parent's credentials: nothing was enqueued; a provider's retry succeeds once fixed",
  },
  {
    status: '503',
    meaning: "the job could not be enqueued, or the secret (or a Twilio subaccount's token) could not be loaded; a provider would retry. Read callback.failed in the receiver's log group",
  },
  { status: '5xx', meaning: "the endpoint failed; a provider would retry. Look at the receiver's logs" },
  { status: 'other', meaning: 'an answer the receiver never gives: is this URL a message-redactor callback endpoint?' },
] as const satisfies ReadonlyArray<{ readonly status: string; readonly meaning: string }>;

/** The line that explains `status`. */
export function explainCallbackAnswer(status: number): string {
  const exact = CALLBACK_ANSWERS.find((answer) => answer.status === String(status));
  if (exact !== undefined) return exact.meaning;
  const kind = status >= 500 && status <= 599 ? '5xx' : 'other';
  return CALLBACK_ANSWERS.find((answer) => answer.status === kind)!.meaning;
}
