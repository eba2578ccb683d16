// ESM throughout: @actions/core and @actions/github ship only ES modules, so jest runs with
// --experimental-vm-modules (see scripts/test.ts) and ts-jest transpiles TypeScript as ESM.
// Type checking is `npm run typecheck`; ts-jest only transpiles, which keeps the suite fast.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
};

// Files that put load on a target, spawn the CLI or the bundled action, or time faults: they
// run one at a time (scripts/test.ts passes --runInBand for this project), so on a 2-core
// runner no two of them compete for the CPU. Everything else runs in parallel.
const SERIAL = ['cli', 'e2e', 'faults', 'gate', 'measure', 'security'];

export default {
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'parallel',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...SERIAL.map((d) => `<rootDir>/test/${d}/`)],
    },
    {
      ...common,
      displayName: 'serial',
      testMatch: SERIAL.map((d) => `<rootDir>/test/${d}/**/*.test.ts`),
    },
  ],
};
