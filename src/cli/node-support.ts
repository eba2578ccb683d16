import { NODE_ENGINE } from '../version.js';

/**
 * The Node.js versions perf-gate supports: package.json `engines.node` (">=22": 22 and 24 are
 * the maintained lines, 20 is end of life; the action itself runs on Node 24). Older versions
 * may still work, so the CLI warns instead of refusing.
 */

/** The lowest supported major version in an `engines.node` range of the form ">=N". */
export function minimumNodeMajor(range: string = NODE_ENGINE): number {
  const match = /^>=\s*(\d+)(\.\d+)*$/.exec(range.trim());
  if (!match) throw new Error(`engines.node must read ">=N", found ${JSON.stringify(range)}`);
  return Number(match[1]);
}

/** A warning for a Node.js version below the supported range, or undefined when it is supported. */
export function nodeSupportWarning(
  version: string,
  range: string = NODE_ENGINE,
): string | undefined {
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  const minimum = minimumNodeMajor(range);
  if (!Number.isFinite(major) || major >= minimum) return undefined;
  return `Node.js ${version.replace(/^v?/, 'v')} is not supported (perf-gate needs Node.js ${minimum} or later; Node.js 20 and older are end of life): results may be wrong or the run may fail; upgrade Node.js`;
}
