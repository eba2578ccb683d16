import pkg from '../../package.json' with { type: 'json' };

/** The version `--version` prints and reports record (bundled in, so it matches the build). */
export const VERSION: string = pkg.version;

export const TOOL = { name: 'perf-gate', version: VERSION } as const;
