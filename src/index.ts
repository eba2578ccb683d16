// The action's entry point: nothing but the call. Everything lives in run(), importable by tests.
import { run } from './action/main.js';

await run();
