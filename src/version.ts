import pkg from '../package.json' with { type: 'json' };

/** perf-gate's own version, as reports and `--version` show it. */
export const VERSION: string = pkg.version;
export const TOOL = { name: 'perf-gate', version: VERSION } as const;
