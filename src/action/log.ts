import * as core from '@actions/core';
import type { GateLog } from '../gate/run-gate.js';
import { commandMessage, logLine, logLines } from '../log/lines.js';
import { registry } from '../secrets/secrets.js';

/**
 * The action's only way to the job log, the annotations and the step's verdict. Plain lines
 * (core.info) pass through logLine, so none can start a workflow command or a new line; messages
 * of the commands @actions/core writes (warning, error, debug, group, setFailed) are escaped by
 * it and masked here. Every form of every registered secret is also handed to the runner
 * (`::add-mask::`), which masks the whole log, other steps' output included.
 */

let masking = false;

/** From now on, every secret registered (now or later) is also registered with the runner. */
export function maskWithRunner(): void {
  if (masking) return;
  masking = true;
  registry.onForm((form) => core.setSecret(form));
}

const mask = (text: string): string => commandMessage(text);

function properties(p: core.AnnotationProperties | undefined): core.AnnotationProperties {
  if (!p) return {};
  return { ...p, ...(p.title === undefined ? {} : { title: logLine(p.title) }) };
}

export const log = {
  info: (line: string): void => core.info(logLine(line)),
  /** Several lines at once (a list): each one by logLine. */
  lines: (text: string): void => core.info(logLines(text)),
  warning: (message: string, p?: core.AnnotationProperties): void =>
    core.warning(mask(message), properties(p)),
  error: (message: string, p?: core.AnnotationProperties): void =>
    core.error(mask(message), properties(p)),
  notice: (message: string, p?: core.AnnotationProperties): void =>
    core.notice(mask(message), properties(p)),
  debug: (message: string): void => core.debug(mask(message)),
  setFailed: (message: string): void => core.setFailed(mask(message)),
  group: <T>(name: string, fn: () => Promise<T>): Promise<T> => core.group(logLine(name), fn),
};

/** The gate's log as workflow commands: groups per phase, warnings as annotations. */
export const actionLog: GateLog = {
  info: log.info,
  warning: (line) => log.warning(line),
  debug: log.debug,
  group: log.group,
};
