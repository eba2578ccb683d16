// Preloaded into a perf-gate process (NODE_OPTIONS=--import) so that no name lookup can leave
// the machine: every host name except IP literals and `localhost` (answered from /etc/hosts)
// fails at once with ENOTFOUND, exactly as getaddrinfo reports an unknown name. Node's net (used
// by autocannon) and fetch (undici) both resolve through dns.lookup, so both see the failure.
// With FAKE_DNS_LOG set, each refused name is appended to that file: the test checks that the
// lookup really went through here.
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import { isIP } from 'node:net';
import process from 'node:process';
import { setImmediate } from 'node:timers';

const systemLookup = dns.lookup;

function notFound(hostname) {
  if (process.env.FAKE_DNS_LOG) appendFileSync(process.env.FAKE_DNS_LOG, `${hostname}\n`);
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname,
  });
}

dns.lookup = function lookup(hostname, options, callback) {
  if (isIP(hostname) || hostname === 'localhost') {
    return systemLookup.call(this, hostname, options, callback);
  }
  const done = typeof options === 'function' ? options : callback;
  // Asynchronous like getaddrinfo's own answer: a client that retries at once must not starve
  // the event loop (a nextTick answer would, where the real resolver never does).
  setImmediate(done, notFound(hostname));
};

const systemPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async function lookup(hostname, options) {
  if (isIP(hostname) || hostname === 'localhost')
    return systemPromiseLookup.call(this, hostname, options);
  throw notFound(hostname);
};
