import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { COMMAND_GUARD, commandMessage, logLine, logLines } from '../../src/log/lines.js';
import { Secrets } from '../../src/secrets/secrets.js';

/**
 * The log-line rule on its own: whatever the text, what comes out is one line that a runner
 * cannot read as a workflow command (`::` at its start after blanks, `##[` anywhere).
 */

const none = new Secrets();

/** What a GitHub runner would take for a command in one line. */
const isCommand = (line: string) => /^\s*::/.test(line) || line.includes('##[');

describe('logLine', () => {
  test.each([
    ['::stop-commands::pwned: warming up', `${COMMAND_GUARD}::stop-commands::pwned: warming up`],
    ['  ::set-output name=passed::true', `${COMMAND_GUARD}  ::set-output name=passed::true`],
    ['ok\n::error title=Forged::x', 'ok ::error title=Forged::x'],
    ['a\r\n::warning::b', 'a ::warning::b'],
    ['\u2028::notice::x', `${COMMAND_GUARD} ::notice::x`],
    ['name ##[error]x', 'name %23%23[error]x'],
    ['\x1b[2Kcolour\x00', '[2Kcolour'],
    ['plain text', 'plain text'],
  ])('%j → %j', (input, output) => {
    expect(logLine(input, none)).toBe(output);
  });

  test('masks before anything else', () => {
    expect(logLine('token p@ss word and p%40ss%20word', new Secrets(['p@ss word']))).toBe(
      'token *** and ***',
    );
  });

  test('no text becomes a line break or a workflow command', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const line = logLine(text, none);
        expect(line).not.toMatch(/[\r\n\u2028\u2029\u0085\v\f]/);
        expect(isCommand(line)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('logLines', () => {
  test('keeps the lines of a table, each made safe', () => {
    expect(logLines('  ::error::x  | p95\n  ok  | p95', none)).toBe(
      `${COMMAND_GUARD}  ::error::x  | p95\n  ok  | p95`,
    );
  });
});

test('commandMessage masks and escapes ##[', () => {
  expect(commandMessage('##[set-output]k tok-123', new Secrets(['tok-123']))).toBe(
    '%23%23[set-output]k ***',
  );
});
