import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';

/**
 * An HTTPS deployment on loopback whose certificate is chosen per connection, to test that every
 * connection perf-gate opens checks it. Certificates are made by the `openssl` command line at
 * the start of a test file, in a fresh folder: a private CA, and leaf certificates for 127.0.0.1
 * signed by it (valid, expired, for another name), and one that signs itself.
 *
 * The server accepts TCP itself and only then decides, by the connection's number, what to do
 * with it: stall (never answer the handshake) or speak TLS with one of the certificates and HTTP
 * inside it. What arrives decrypted is recorded per connection, with the certificate it got, so a
 * test can say on the server's side that nothing (no header) reached a connection it should
 * never have trusted.
 */

export type CertificateKind = 'valid' | 'self-signed' | 'wrong-name' | 'expired';
export type ConnectionPlan = CertificateKind | 'stall';

export interface Certificates {
  dir: string;
  /** PEM file of the private CA that signed `valid`, `wrong-name` and `expired`. */
  caFile: string;
  pem: Record<CertificateKind, { cert: string; key: string }>;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and four leaf certificates, in a new temporary folder. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=perf-gate test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaf = (name: string, san: string, days: string): void => {
    openssl(dir, [
      'req',
      '-new',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      '/CN=perf-gate test',
    ]);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      days,
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ]);
  };
  leaf('valid', 'IP:127.0.0.1', '2');
  leaf('wrong-name', 'DNS:other.example', '2');
  // Valid until the day before it became valid: expired from the first second.
  leaf('expired', 'IP:127.0.0.1', '-1');
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'self-signed.key',
    '-out',
    'self-signed.crt',
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const read = (name: string) => ({
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  });
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    pem: {
      valid: read('valid'),
      'self-signed': read('self-signed'),
      'wrong-name': read('wrong-name'),
      expired: read('expired'),
    },
  };
}

export interface TlsConnection {
  /** 0-based, in the order the server accepted them. */
  index: number;
  plan: ConnectionPlan;
  /** Bytes received inside TLS (0 for a connection that never completed its handshake). */
  decryptedBytes: number;
  /** Headers of each HTTP request received on it. */
  requests: IncomingHttpHeaders[];
}

export interface TlsTarget {
  /** `https://127.0.0.1:PORT` */
  url: string;
  port: number;
  connections(): TlsConnection[];
  close(): Promise<void>;
}

/**
 * `plan(i)` says what connection i (0-based) gets. Every HTTP request is answered 200 at once.
 */
export async function startTlsTarget(
  certificates: Certificates,
  plan: (index: number) => ConnectionPlan,
): Promise<TlsTarget> {
  const contexts = new Map<CertificateKind, SecureContext>();
  for (const [kind, pem] of Object.entries(certificates.pem)) {
    contexts.set(kind as CertificateKind, createSecureContext(pem));
  }
  const connections: TlsConnection[] = [];
  const sockets = new Set<Socket>();
  const http = createHttpServer({ keepAlive: true }, (req, res) => {
    const connection = (req.socket as TLSSocket & { perfGate?: TlsConnection }).perfGate;
    connection?.requests.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const index = connections.length;
    const connection: TlsConnection = {
      index,
      plan: plan(index),
      decryptedBytes: 0,
      requests: [],
    };
    connections.push(connection);
    if (connection.plan === 'stall') return; // holds the connection, never answers
    const secure = new TLSSocket(socket, {
      isServer: true,
      secureContext: contexts.get(connection.plan),
    });
    Object.assign(secure, { perfGate: connection });
    secure.on('error', () => {});
    http.emit('connection', secure);
    // After the HTTP server took the socket: a 'data' listener makes it read through JS events
    // (not straight from the native stream), so both it and this count see every byte.
    secure.on('data', (chunk: Buffer) => {
      connection.decryptedBytes += chunk.length;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    connections: () => connections.map((c) => ({ ...c, requests: [...c.requests] })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      http.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
