// Preloaded with `node --import` by the module-loading test: appends the URL of every ES module
// the process loads (the bundle's chunks included) to the file in PERF_GATE_TRACE_MODULES.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import process from 'node:process';

const out = process.env.PERF_GATE_TRACE_MODULES;
if (out) {
  registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(out, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
