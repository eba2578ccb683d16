import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli, tempDir, writeFile, type CliRun } from '../cli/cli-process.js';
import { runAction } from '../e2e/action-runner.js';
import { budgetText, visible } from '../faults/budget-text.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import {
  makeCertificates,
  startTlsTarget,
  type Certificates,
  type CertificateKind,
  type ConnectionPlan,
  type TlsTarget,
} from '../servers/tls-target.js';

/**
 * Every connection perf-gate opens to a target checks its certificate (SPEC §8), the load's as
 * well as the readiness check's. The target here is an HTTPS server on loopback that picks the
 * certificate per connection, so a target that is trusted once and then changes (or stalls the
 * first connection, which the reachability check used to take for "reachable") is covered. In no
 * failing case does a request (its `authorization: Bearer` header) reach the server: asserted on
 * the server's side, from what it decrypted on each connection. Through the CLI as a process and
 * the bundled action.
 */

const TOKEN = 'tlsToken-Q7w3Rk9Zp';
const BAD: CertificateKind[] = ['self-signed', 'wrong-name', 'expired'];
/** Node's verification error for each bad certificate (the CA is trusted where it signed one). */
const CODE: Record<string, string> = {
  'self-signed': 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'wrong-name': 'ERR_TLS_CERT_ALTNAME_INVALID',
  expired: 'CERT_HAS_EXPIRED',
};

let certs: Certificates;
let dir: string;
const servers: TlsTarget[] = [];

beforeAll(() => {
  certs = makeCertificates();
  dir = tempDir('tls');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(plan: (index: number) => ConnectionPlan): Promise<TlsTarget> {
  const server = await startTlsTarget(certs, plan);
  servers.push(server);
  return server;
}

interface BudgetOptions {
  ca?: boolean;
  insecure?: boolean;
  /** The header carries ${API_TOKEN} (default) or a literal value. */
  secretHeader?: boolean;
  ready?: boolean;
}

let files = 0;
function budget(server: TlsTarget, options: BudgetOptions = {}): string {
  const tls: string[] = [];
  if (options.ca) tls.push(`ca: ${JSON.stringify(certs.caFile)}`);
  if (options.insecure) tls.push('insecure: true');
  const header = options.secretHeader === false ? 'Bearer not-a-secret' : 'Bearer ${API_TOKEN}';
  const text = budgetText({
    id: 'tls',
    url: server.url,
    ready: options.ready ? '{ path: /healthz, timeout: 3s }' : undefined,
    targetLines: [
      `headers: { authorization: "${header}" }`,
      ...(tls.length > 0 ? [`tls: { ${tls.join(', ')} }`] : []),
    ],
    endpoints: [{ name: 'orders', path: '/orders' }],
  });
  return writeFile(dir, `budget-${files++}.yml`, text);
}

function cli(file: string, env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['run', '--budget', file], {
    env: { API_TOKEN: TOKEN, CI: 'true', ...env },
    timeoutMs: 60_000,
  });
}

/** What a connection of a kind other than `trusted` received: must be nothing at all. */
function receivedOnUntrusted(server: TlsTarget, trusted: ConnectionPlan[] = ['valid']) {
  return server
    .connections()
    .filter((c) => !trusted.includes(c.plan))
    .filter((c) => c.decryptedBytes > 0 || c.requests.length > 0)
    .map((c) => ({ index: c.index, plan: c.plan, bytes: c.decryptedBytes, requests: c.requests }));
}

function expectNoLeak(run: { stdout: string; stderr: string }): void {
  expect(`${run.stdout}\n${run.stderr}`).not.toContain(TOKEN);
}

describe('the CLI refuses a target whose certificate fails, on every connection', () => {
  for (const kind of BAD) {
    test(`${kind} on every connection: exit 3 naming ${CODE[kind]}, nothing sent`, async () => {
      const server = await serve(() => kind);
      // The private CA is trusted, so only the named fault is left (the self-signed one has none).
      const run = await cli(budget(server, { ca: true }));
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(CODE[kind]);
      expect(run.stderr).toMatch(/certificate is not trusted/);
      expect(server.connections().length).toBeGreaterThan(0);
      expect(receivedOnUntrusted(server)).toEqual([]);
      expectNoLeak(run);
    });

    test(`first connection valid, later ones ${kind}: the load sends nothing to them`, async () => {
      const server = await serve((i) => (i === 0 ? 'valid' : kind));
      // The CA through NODE_EXTRA_CA_CERTS: trusted by every client in the process.
      const run = await cli(budget(server), { NODE_EXTRA_CA_CERTS: certs.caFile });
      // The reachability check got the valid certificate; every load connection failed.
      expect(server.connections()[0]!.requests).toHaveLength(1);
      expect(server.connections().length).toBeGreaterThan(2);
      expect(receivedOnUntrusted(server)).toEqual([]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(CODE[kind]);
      expectNoLeak(run);
    });
  }

  test('first connection stalls, later ones self-signed: the reachability check fails on its timeout', async () => {
    const server = await serve((i) => (i === 0 ? 'stall' : 'self-signed'));
    const run = await cli(budget(server));
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/cannot be reached: timed out after 1s/);
    expect(receivedOnUntrusted(server)).toEqual([]);
    expectNoLeak(run);
  });

  test('the readiness check refuses a certificate that fails, and retries until its timeout', async () => {
    const server = await serve(() => 'self-signed');
    const run = await cli(budget(server, { ready: true }));
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /did not answer 2xx within 3s: last attempt: DEPTH_ZERO_SELF_SIGNED_CERT/,
    );
    expect(receivedOnUntrusted(server)).toEqual([]);
  });
});

describe('a certificate from a private CA', () => {
  const expectMeasured = (server: TlsTarget, run: CliRun) => {
    expect(run.code).toBe(0);
    const requests = server.connections().flatMap((c) => c.requests);
    // The probe and the load: many requests, each with the header.
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.every((h) => h.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expectNoLeak(run);
  };

  test('is trusted when target.tls.ca names the CA', async () => {
    const server = await serve(() => 'valid');
    expectMeasured(server, await cli(budget(server, { ca: true, ready: true })));
  });

  test('is trusted when NODE_EXTRA_CA_CERTS names the CA', async () => {
    const server = await serve(() => 'valid');
    const run = await cli(budget(server, { ready: true }), { NODE_EXTRA_CA_CERTS: certs.caFile });
    expectMeasured(server, run);
  });

  test('is refused without either', async () => {
    const server = await serve(() => 'valid');
    const run = await cli(budget(server));
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(receivedOnUntrusted(server, [])).toEqual([]);
  });

  test('a CA file that is not a certificate is a located error', async () => {
    const server = await serve(() => 'valid');
    const bogus = writeFile(dir, 'not-a-ca.pem', 'hello\n');
    const file = writeFile(
      dir,
      'budget-bogus-ca.yml',
      budgetText({
        url: server.url,
        targetLines: ['tls: { ca: not-a-ca.pem }'],
        endpoints: [{ path: '/orders' }],
      }),
    );
    const run = await cli(file);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /budget-bogus-ca\.yml:\d+:\d+ target\.tls\.ca: CA file "not-a-ca\.pem": holds no PEM certificate/,
    );
    expect(bogus).toBeTruthy();
    expect(server.connections()).toEqual([]);
  });
});

describe('target.tls.insecure', () => {
  test('is refused when a header carries a ${VAR} value, with a located message', async () => {
    const server = await serve(() => 'self-signed');
    const file = budget(server, { insecure: true });
    const run = await cli(file);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /budget-\d+\.yml:\d+:\d+ target\.tls\.insecure: insecure: true turns certificate checks off.*headers that carry \$\{VAR\} values/,
    );
    expect(server.connections()).toEqual([]);
  });

  test('without secrets it measures, and says loudly that nothing was checked', async () => {
    const server = await serve(() => 'self-signed');
    const run = await cli(budget(server, { insecure: true, secretHeader: false }));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: target\.tls\.insecure is true: certificates are NOT checked/,
    );
    expect(server.connections().flatMap((c) => c.requests).length).toBeGreaterThan(10);
  });
});

describe('the bundled action', () => {
  let github: GitHubServer;
  beforeAll(async () => {
    github = await startGitHub();
  });
  afterAll(async () => {
    await github?.close();
  });

  test('first connection valid, later ones self-signed: fails, nothing sent to them', async () => {
    const server = await serve((i) => (i === 0 ? 'valid' : 'self-signed'));
    const run = await runAction({
      inputs: { comment: 'never' },
      env: { API_TOKEN: TOKEN, NODE_EXTRA_CA_CERTS: certs.caFile },
      files: {
        'perf-budget.yml': budgetText({
          url: server.url,
          targetLines: ['headers: { authorization: "Bearer ${API_TOKEN}" }'],
          endpoints: [{ name: 'orders', path: '/orders' }],
        }),
      },
    });
    expect(run.code).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(run.stdout).toMatch(
      /::error::perf-gate could not measure: .*DEPTH_ZERO_SELF_SIGNED_CERT/,
    );
    expect(server.connections().length).toBeGreaterThan(2);
    expect(receivedOnUntrusted(server)).toEqual([]);
    expect(visible(run.stdout) + run.stderr + run.summary).not.toContain(TOKEN);
  });

  test('insecure: warned in the log, the summary and the comment', async () => {
    const server = await serve(() => 'self-signed');
    const run = await runAction({
      event: { pull_request: { number: 31 } },
      inputs: { 'github-token': 'ghs_tlsTestToken12345' },
      env: { GITHUB_API_URL: github.url },
      files: {
        'perf-budget.yml': budgetText({
          url: server.url,
          targetLines: ['tls: { insecure: true }'],
          endpoints: [{ name: 'orders', path: '/orders' }],
        }),
      },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^::warning::target\.tls\.insecure is true: certificates are NOT checked/m,
    );
    const warning = /Certificates were not checked/;
    expect(run.summary).toMatch(warning);
    const comments = github.comments('acme', 'shop', 31);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(warning);
  });
});
