import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `npm test`: jest in two passes over the projects of jest.config.js. The `parallel` project
 * (pure and in-process tests) uses every worker; the `serial` project (load, spawned
 * processes, faults) runs in band, because jest's worker count is global, not per project.
 * Arguments pass through to both passes, so `npm test -- test/measure/engine.test.ts` runs
 * just that file (the other pass finds nothing and says so).
 */

const jest = fileURLToPath(new URL('../node_modules/jest/bin/jest.js', import.meta.url));
const args = process.argv.slice(2);

function pass(project: string, extra: string[]): number {
  const result = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      jest,
      '--selectProjects',
      project,
      '--passWithNoTests',
      ...extra,
      ...args,
    ],
    { stdio: 'inherit' },
  );
  return result.status ?? 1;
}

const parallel = pass('parallel', []);
const serial = pass('serial', ['--runInBand']);
process.exitCode = parallel !== 0 ? parallel : serial;
