/**
 * What an answer of the callback endpoint means to someone who just sent it a status callback: the
 * receiver's contract (200 queued, 204 authentic but nothing to do, 4xx refused, 5xx retry) in words.
 */
export function explainCallbackAnswer(status: number): string {
  if (status === 200 || status === 202) return 'accepted: the callback is authentic and final, so a redaction job was queued';
  if (status === 204) return 'authentic, but nothing to do now: the status is not final (or its retention is left to the sweep)';
  if (status === 400) return 'refused: the endpoint could not read the callback (a field is missing or malformed)';
  if (status === 401 || status === 403) {
    return "refused: the signature or token did not verify. The secret differs from the endpoint's, or the URL signed is not the account's publicUrl";
  }
  if (status === 404) return 'no such callback route at this URL: check --route, --url and the accounts the endpoint was deployed with';
  if (status === 405 || status === 413 || status === 415) return 'refused: the endpoint does not take a callback in this form';
  if (status === 429) return 'throttled: the endpoint is over its rate limit; a provider would retry';
  if (status >= 500) return "the endpoint failed; a provider would retry. Look at the receiver's logs";
  return 'an answer the receiver never gives: is this URL a message-redactor callback endpoint?';
}
