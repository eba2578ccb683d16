// ESM throughout: @actions/core and @actions/github ship only ES modules, so jest runs with
// --experimental-vm-modules (see the "test" script) and ts-jest transpiles TypeScript as ESM.
// Type checking is `npm run typecheck`; ts-jest only transpiles, which keeps the suite fast.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
};
