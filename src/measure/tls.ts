import tls from 'node:tls';
import type autocannon from 'autocannon';
import type { TlsSettings } from '../config/types.js';

/**
 * Certificate checks for every connection perf-gate opens to a target (SPEC §8): the readiness
 * probe and every connection of the load. Verified against Node's CA store (its bundled roots,
 * NODE_EXTRA_CA_CERTS, and the system store when Node runs with --use-system-ca), plus the CAs
 * of `target.tls.ca`; never verified only with an explicit `target.tls.insecure: true`.
 *
 * autocannon 9 connects with `rejectUnauthorized: false` written after the caller's
 * `tlsOptions`, so no option can turn checks on. `verifyLoadConnections` swaps `tls.connect` for
 * the length of the client's own (synchronous) `_connect` call and puts the checks back into the
 * options it passes. Node sends nothing written to a TLS socket before the handshake and its
 * verification are done, so the request (headers, body) never reaches a server whose
 * certificate fails: the connection ends with the verification error instead, which autocannon
 * counts as a connection error and retries.
 */

/** The options of a verified connection (Node's defaults plus the file's CAs). */
export function tlsConnectOptions(settings: TlsSettings | undefined): tls.ConnectionOptions {
  if (settings?.insecure) return { rejectUnauthorized: false };
  if (!settings?.ca) return { rejectUnauthorized: true };
  // `ca` replaces Node's CA list, so the default list is passed along with the file's.
  return { rejectUnauthorized: true, ca: [...defaultCertificates(), settings.ca] };
}

function defaultCertificates(): string[] {
  const get = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  // Node 22.15+: the certificates a default connection trusts, NODE_EXTRA_CA_CERTS included.
  if (typeof get === 'function') return get('default');
  return [...tls.rootCertificates];
}

interface ClientInternals {
  _connect?: () => void;
  secure?: boolean;
}

type Connect = typeof tls.connect;

/** Makes every connection of this autocannon client verify the target's certificate. */
export function verifyLoadConnections(
  client: autocannon.Client,
  settings: TlsSettings | undefined,
): void {
  const internals = client as unknown as ClientInternals;
  const connect = internals._connect;
  if (typeof connect !== 'function') {
    throw new Error(
      'perf-gate cannot check certificates with this version of autocannon (no client._connect); refusing to send load unverified',
    );
  }
  const checks = tlsConnectOptions(settings);
  internals._connect = function (this: ClientInternals) {
    if (!this.secure) return connect.call(this);
    const original: Connect = tls.connect;
    const verified = ((...args: unknown[]) => {
      const last = args[args.length - 1];
      if (last !== null && typeof last === 'object') {
        args[args.length - 1] = { ...(last as object), ...checks };
      } else {
        args.push(checks);
      }
      return (original as (...a: unknown[]) => tls.TLSSocket)(...args);
    }) as Connect;
    tls.connect = verified;
    try {
      return connect.call(this);
    } finally {
      tls.connect = original;
    }
  };
}

/** Node's codes for a certificate that failed verification. */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

export function isCertificateError(code: string): boolean {
  return CERTIFICATE_ERRORS.has(code);
}

/** What to do about a certificate error, for messages. */
export const CERTIFICATE_HINT =
  "the target's certificate is not trusted, so nothing was sent to it: for a preview behind a private CA give that CA in target.tls.ca (or NODE_EXTRA_CA_CERTS); check that the certificate names the target's host and has not expired";
