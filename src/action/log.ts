import * as core from '@actions/core';
import type { GateLog } from '../gate/run-gate.js';

/** The gate's log as workflow commands: groups per phase, warnings as annotations. */
export const actionLog: GateLog = {
  info: (line) => core.info(line),
  warning: (line) => core.warning(line),
  debug: (line) => core.debug(line),
  group: (name, fn) => core.group(name, fn),
};
