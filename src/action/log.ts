import * as core from '@actions/core';
import type { GateLog } from '../gate/run-gate.js';

/** The gate's log as workflow commands: groups per phase, warnings as annotations. */
export const actionLog: GateLog = {
  // core.info writes the text as is: a line break in it would start a line the runner reads as
  // a workflow command (`::error::`, `::add-mask::`), and names come from the budget file.
  info: (line) => core.info(line.replace(/[\r\n]+/g, ' ')),
  warning: (line) => core.warning(line),
  debug: (line) => core.debug(line),
  group: (name, fn) => core.group(name, fn),
};
