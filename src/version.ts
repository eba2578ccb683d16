import pkg from '../package.json' with { type: 'json' };

/** perf-gate's own version, as reports and `--version` show it. */
export const VERSION: string = pkg.version;
export const TOOL = { name: 'perf-gate', version: VERSION } as const;
/** The Node.js versions perf-gate supports (package.json `engines.node`). */
export const NODE_ENGINE: string = pkg.engines.node;
