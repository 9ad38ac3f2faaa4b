import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALLBACK_ANSWERS, explainCallbackAnswer } from '../../cli/callback-answers';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('The callback answers table', () => {
  it('is the table docs/operate.md shows, row for row', () => {
    const page = readFileSync(path.join(ROOT, 'docs', 'operate.md'), 'utf8');
    const section = page.slice(page.indexOf('## What each answer of the callback endpoint means'));
    const rows = [...section.matchAll(/^\| (\S+) \| (.+) \|$/gm)].map((match) => ({ status: match[1], meaning: match[2] })).filter((row) => row.status !== 'answer');
    expect(rows).toEqual(CALLBACK_ANSWERS.map(({ status, meaning }) => ({ status, meaning })));
  });

  it('explains an exact status by its row, another 5xx as a failure, anything else as foreign', () => {
    expect(explainCallbackAnswer(403)).toBe(CALLBACK_ANSWERS.find((answer) => answer.status === '403')!.meaning);
    expect(explainCallbackAnswer(502)).toBe("the endpoint failed; a provider would retry. Look at the receiver's logs");
    expect(explainCallbackAnswer(302)).toBe('an answer the receiver never gives: is this URL a message-redactor callback endpoint?');
  });
});
