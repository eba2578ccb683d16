import { describe, expect, test } from '@jest/globals';
import { parseBudget } from '../../src/config/load.js';
import { buildReport } from '../../src/report/report.js';
import {
  displayUrl,
  maskText,
  quoteUrlText,
  Secrets,
  urlCredentials,
  urlSecrets,
} from '../../src/secrets/secrets.js';

/**
 * The secrets module on its own: which spellings of a secret are masked, which parts of a URL
 * are secret, how a URL is shown. The spellings expected here are written out by hand.
 */

describe('masking', () => {
  test('a value with a space and an @ is masked in every spelling a URL or a form gives it', () => {
    const secrets = new Secrets(['p@ss word']);
    const texts = [
      'p@ss word',
      'p%40ss%20word', // encodeURIComponent
      'p%40ss+word', // form encoding
      'p@ss%20word', // encodeURI and the URL parser's path and query
      'p%40ss%20word'.toLowerCase(), // lower-case hex
      '"p@ss word"',
    ];
    for (const text of texts) expect(secrets.mask(`[${text}]`)).not.toMatch(/p.?.?.?ss/i);
  });

  test('a percent-encoded secret is masked decoded too', () => {
    expect(maskText('token a/b c=', ['a%2Fb%20c%3D'])).toBe('token ***');
  });

  test('longest first, so a secret containing another is masked whole', () => {
    expect(maskText('token abc-123-xyz and abcd', ['abcd', 'abc-123-xyz'])).toBe(
      'token *** and ***',
    );
  });

  test('user-info of any URL is hidden, registered or not', () => {
    expect(maskText('see https://user:pa55@host.example/x and ftp://a@b', [])).toBe(
      'see https://***@host.example/x and ftp://***@b',
    );
  });

  test('listeners get every form, registered before and after', () => {
    const secrets = new Secrets(['first secret']);
    const seen: string[] = [];
    secrets.onForm((form) => seen.push(form));
    secrets.add('second@one');
    expect(seen).toEqual(
      expect.arrayContaining(['first secret', 'first%20secret', 'second%40one']),
    );
  });
});

describe('URLs', () => {
  test('credentials, their Basic header, and query values are secret; public and short ones not', () => {
    const url = 'https://bot:s3cr%40t@preview.example/app?bypass=tok-123456&lang=english&p=2';
    expect(urlCredentials(url).sort()).toEqual(
      ['s3cr%40t', 's3cr@t', Buffer.from('bot:s3cr@t').toString('base64')].sort(),
    );
    expect(urlSecrets(url, ['lang'])).toEqual(expect.arrayContaining(['tok-123456', 's3cr@t']));
    expect(urlSecrets(url, ['lang'])).not.toContain('english');
    expect(urlSecrets(url, [])).toContain('english');
    expect(urlSecrets(url, [])).not.toContain('2'); // too short to mask
  });

  test('displayUrl drops credentials and shows query values as *** unless public', () => {
    expect(displayUrl('https://u:pw@h.example/a/b?x=secret&lang=en', ['lang'])).toBe(
      'https://h.example/a/b?x=***&lang=en',
    );
    expect(displayUrl('http://127.0.0.1:3000/healthz')).toBe('http://127.0.0.1:3000/healthz');
  });

  test('text that does not parse as a URL is quoted without user-info or query', () => {
    expect(quoteUrlText('user:pw@preview.example?token=abc')).toBe('***@preview.example?…');
    expect(quoteUrlText('htp//x.example/a#frag')).toBe('htp//x.example/a?…');
  });
});

describe('target.public-query', () => {
  const yaml = (publicQuery: string) =>
    [
      'version: 1',
      'target:',
      '  url: https://preview.example/?x-vercel-protection-bypass=bypass-9f8e7d&lang=english',
      `  public-query: ${publicQuery}`,
      '  ready: { path: /healthz }',
      'endpoints:',
      '  - path: /api',
    ].join('\n');

  test('query values of the target URL are secrets unless named public', () => {
    const config = parseBudget(yaml('[lang]'), 'b.yml', { env: {} });
    expect(config.secrets).toContain('bypass-9f8e7d');
    expect(config.secrets).not.toContain('english');
    const report = buildReport({
      tool: { name: 'perf-gate', version: '0' },
      createdAt: '2026-01-01T00:00:00.000Z',
      environment: { runner: { os: 'Linux', arch: 'x64' }, node: 'v24' },
      config,
      endpoints: [],
      summary: {
        passed: true,
        endpoints: 0,
        violations: 0,
        regressions: 0,
        improvements: 0,
        inconclusive: 0,
      } as never,
    });
    expect(report.config.target.url).toBe(
      'https://preview.example/?x-vercel-protection-bypass=***&lang=english',
    );
    expect(report.config.target.ready?.url).toBe(
      'https://preview.example/healthz?x-vercel-protection-bypass=***&lang=english',
    );
  });

  test('a value of the target-url input is secret too', () => {
    const config = parseBudget(yaml('[]'), 'b.yml', {
      env: {},
      targetUrl: 'https://other.example/?sig=input-sig-1234',
    });
    expect(config.secrets).toContain('input-sig-1234');
  });
});
