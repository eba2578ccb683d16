import type { Config } from '../config/types.js';
import { checkReachable, waitForReady, type ReadyResult } from '../measure/ready.js';
import { onReference } from './reference.js';

/** What the ready-wait logs: a GateLog (run-gate.ts) is one. */
export interface ReadyLog {
  info(line: string): void;
  warning(line: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * The gate's first step, before any load (docs/architecture.md §1): a warning when certificates
 * are not checked; then with `target.ready`, wait
 * until the target (and the reference deployment) answers it; without, check with one request
 * that each answers at all, so a wrong URL fails in a second with TargetUnreachableError.
 * Shared by `runGate` and `perf-gate calibrate`.
 */
export async function waitForTarget(
  config: Config,
  options: { baselineUrl?: string; signal?: AbortSignal; log: ReadyLog },
): Promise<ReadyResult | undefined> {
  const { baselineUrl, signal, log } = options;
  if (config.target.tls?.insecure) {
    log.warning(
      'target.tls.insecure is true: certificates are NOT checked on any connection to the target, so anyone on the network path can read and change the traffic and the numbers may not come from the target. Give the CA in target.tls.ca (or NODE_EXTRA_CA_CERTS) instead.',
    );
  }
  if (config.target.ready) {
    const { url, timeoutMs } = config.target.ready;
    return log.group('Waiting for the target to be ready', async () => {
      const result = await waitForReady(url, {
        timeoutMs,
        headers: config.target.headers,
        signal,
        log: log.info,
        tls: config.target.tls,
      });
      if (baselineUrl) {
        await waitForReady(onReference(url, config, baselineUrl), {
          timeoutMs,
          headers: config.target.headers,
          signal,
          log: log.info,
          tls: config.target.tls,
        });
      }
      return result;
    });
  }
  // A slow first answer is left for the measurement to judge, within the load's own timeout.
  const timeoutMs = config.endpoints[0]?.load.timeoutMs;
  for (const url of [config.target.url, baselineUrl]) {
    if (url) {
      await checkReachable(url, {
        headers: config.target.headers,
        signal,
        timeoutMs,
        tls: config.target.tls,
      });
    }
  }
  return undefined;
}
