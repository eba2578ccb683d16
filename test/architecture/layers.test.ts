import { describe, expect, test } from '@jest/globals';
import { ESLint } from 'eslint';
import { join } from 'node:path';

/**
 * The layers of src/ hold by lint (eslint.config.js, docs/architecture.md "Layers"): the project's
 * own ESLint configuration refuses an import that crosses them, and passes the ones allowed.
 */

const ROOT = join(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function importProblems(file: string, from: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${from}';\nexport const y = x;\n`, {
    filePath: join(ROOT, file),
  });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  test.each([
    ['src/config/load.ts', '../measure/engine.js'],
    ['src/config/load.ts', '../report/format.js'],
    ['src/github/comment.ts', '../config/types.js'],
    ['src/github/comment.ts', '../report/markdown.js'],
    ['src/measure/engine.ts', '../evaluate/evaluate.js'],
    ['src/baseline/cloudwatch-read.ts', '../report/report.js'],
    ['src/report/markdown.ts', '../gate/run-gate.js'],
    ['src/gate/run-gate.ts', '../github/comment.js'],
    ['src/evaluate/evaluate.ts', '../cli/main.js'],
    // Numbers never import printing: evaluate/ judges, report/ prints.
    ['src/evaluate/evaluate.ts', '../report/report.js'],
    ['src/evaluate/stats.ts', '../report/markdown.js'],
    // units/ is the ground floor: it imports no other folder.
    ['src/units/format.ts', '../config/types.js'],
    ['src/units/parse.ts', '../secrets/secrets.js'],
    ['src/cli/main.ts', '../action/finish.js'],
    ['src/action/finish.ts', '../cli/output.js'],
    ['src/report/report.ts', '../index.js'],
    ['src/gate/report.ts', '../action/main.js'],
  ])('%s may not import %s', async (file, from) => {
    const problems = await importProblems(file, from);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/may import only .*docs\/architecture\.md/);
  });

  test.each([
    ['src/config/load.ts', '../units/parse.js'],
    ['src/evaluate/evaluate.ts', '../units/format.js'],
    ['src/report/markdown.ts', '../units/metrics.js'],
    ['src/measure/engine.ts', '../config/types.js'],
    ['src/report/markdown.ts', '../evaluate/types.js'],
    ['src/gate/run-gate.ts', '../measure/engine.js'],
    ['src/gate/report.ts', '../report/report.js'],
    ['src/action/finish.ts', '../github/comment.js'],
    ['src/cli/main.ts', '../gate/run-gate.js'],
    ['src/cli/index.ts', '../version.js'],
  ])('%s may import %s', async (file, from) => {
    expect(await importProblems(file, from)).toEqual([]);
  });
});
