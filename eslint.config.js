import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ (docs/architecture.md, "Layers"): each folder may import only the folders
 * listed for it; anything else is a lint error. The entry point src/index.ts sits on top and is
 * imported by no folder; the action's run() is src/action/main.ts.
 */
const LAYERS = {
  // The ground floor: masking secrets, which every output passes through.
  secrets: [],
  // The ground floor: units (parse, format) and the metric lists; numbers never import printing.
  units: [],
  // Writing log lines: masked, never a workflow command.
  log: ['secrets'],
  config: ['units', 'secrets'],
  github: ['secrets'],
  measure: ['config', 'units', 'secrets'],
  baseline: ['config', 'measure', 'units', 'secrets'],
  evaluate: ['config', 'measure', 'baseline', 'units', 'secrets'],
  report: ['config', 'measure', 'evaluate', 'units', 'secrets'],
  // report/ for assembling a run's JSON report (gate/report.ts), turning saved reports into
  // reports again (compare, rejudge) and merging shards' reports (gate/shards.ts).
  gate: ['config', 'measure', 'baseline', 'evaluate', 'report', 'units', 'secrets'],
  action: [
    'config',
    'measure',
    'baseline',
    'evaluate',
    'report',
    'gate',
    'github',
    'units',
    'secrets',
    'log',
  ],
  cli: ['config', 'measure', 'baseline', 'evaluate', 'report', 'gate', 'units', 'secrets', 'log'],
};

const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((f) => f !== folder && !allowed.includes(f));
  return {
    files: [`src/${folder}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...forbidden.map((f) => `../${f}/*`), '../index.js'],
              message: `src/${folder}/ may import only ${allowed.length ? allowed.map((f) => `${f}/`).join(', ') : 'its own files'} (and src/version.ts): see docs/architecture.md, "Layers".`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['test/**', 'bench/**', 'src/cli/**', 'demo/**'], rules: { 'no-console': 'off' } },
  // Type-aware rules: promises that nobody awaits or that are passed where a plain callback is
  // expected lose their errors. no-unnecessary-type-assertion is left out: nearly all of its
  // findings are the `!` after indexed access that the code writes on purpose.
  {
    files: ['**/*.ts'],
    languageOptions: {
      // Never the single-run mode typescript-eslint picks when CI is set: it lints the files as
      // they are on disk, so a linted text (test/architecture/layers.test.ts) would be ignored.
      parserOptions: {
        project: './tsconfig.all.json',
        tsconfigRootDir: import.meta.dirname,
        disallowAutomaticSingleRunInference: true,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
    },
  },
  ...layerRules,
);
