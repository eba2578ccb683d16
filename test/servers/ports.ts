import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * A loopback port nothing listens on, for "connection refused" cases.
 *
 * Taking a port from the OS (listen on 0) and releasing it races with every other test that
 * listens on 0 at the same time: the kernel may hand the same port to the next server. Every
 * server of this suite listens on port 0, which the kernel picks from the ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by default), so a port below that range
 * is never given to one of them. This picks such a port and checks that it refuses a connection.
 */
export async function refusedPort(): Promise<number> {
  let low = 32768;
  try {
    const [first] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(first) && first > 11_000) low = first;
  } catch {
    // Not Linux: the default IANA ephemeral range starts at 49152, above 32768.
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (await refuses(port)) return port;
  }
  throw new Error('no refusing loopback port found below the ephemeral range');
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
