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

describe('values shorter than 4 characters (README "Secrets are masked everywhere")', () => {
  const FILE = [
    'version: 1',
    'target:',
    '  url: http://${USER}:${PASS}@127.0.0.1:9999/?sig=${SIG}',
    '  headers: { x-tenant: "${TENANT}", authorization: "Bearer ${TOKEN}" }',
    'endpoints:',
    '  - path: /orders/${ORDER}',
    '',
  ].join('\n');

  /** What a run registers: the budget file's values and the URL's secrets, as the action does. */
  function registered(env: Record<string, string>): Secrets {
    const config = parseBudget(FILE, 'perf-budget.yml', { env });
    const secrets = new Secrets(config.secrets);
    secrets.addUrl(config.target.url);
    return secrets;
  }

  test('a ${VAR} value, a URL user name, password or query value of 3 characters is not masked; of 4 it is', () => {
    const short = {
      USER: 'u1x',
      PASS: 'p2y',
      SIG: 's3z',
      TENANT: 't4w',
      TOKEN: 'k5v',
      ORDER: 'o6q',
    };
    const long = Object.fromEntries(Object.entries(short).map(([k, v]) => [k, `${v}9`]));
    const line = (env: Record<string, string>) => Object.values(env).join(' | ');
    expect(registered(short).mask(line(short))).toBe(line(short));
    expect(registered(long).mask(line(long))).toBe('*** | *** | *** | *** | *** | ***');
  });

  test('the GitHub token and any value registered directly are masked whatever their length', () => {
    const secrets = new Secrets(['gh1']);
    expect(secrets.mask('token gh1 rejected')).toBe('token *** rejected');
  });

  test('a short query value is still shown as *** in a displayed URL', () => {
    expect(displayUrl('http://127.0.0.1:9999/?sig=s3z')).toBe('http://127.0.0.1:9999/?sig=***');
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
