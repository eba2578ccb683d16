import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { readReportFile } from '../report/read.js';
import type { Report } from '../report/report.js';
import { writeFileNoFollow } from '../report/write-file.js';
import { stringOption, UsageError, type ParsedArgs } from './args.js';

/**
 * `--json OUT`, `--markdown OUT` and `--html OUT`. The paths are checked before any load is sent, so a typo
 * in an output path does not throw away a finished run. On a laptop the person running the CLI
 * names the path, so it may be anywhere they can write; but a symlink at the path is replaced,
 * never written through (a checked-out repository may hold one where a report is expected).
 */

export interface ReportPaths {
  json?: string;
  markdown?: string;
  /** The self-contained HTML report (report/html.ts). */
  html?: string;
}

const EXTENSION: Record<string, string> = { json: 'json', markdown: 'md', html: 'html' };

/** The options of the commands that write reports: `--json`, `--markdown`, `--html`. */
export const REPORT_OPTIONS = {
  json: { type: 'string' },
  markdown: { type: 'string' },
  html: { type: 'string' },
} as const;

/** The report paths a command was given, checked and their folders created (prepareReportPaths). */
export function reportPathsOf(parsed: ParsedArgs, command: string): ReportPaths {
  const paths = {
    json: stringOption(parsed, 'json'),
    markdown: stringOption(parsed, 'markdown'),
    html: stringOption(parsed, 'html'),
  };
  prepareReportPaths(paths, command);
  return paths;
}

/** Creates the parent folders and refuses a path that is a folder. */
export function prepareReportPaths(paths: ReportPaths, command: string): void {
  for (const [option, path] of Object.entries(paths)) {
    if (path === undefined) continue;
    if (path.trim() === '') throw new UsageError(`--${option} needs a file path`, command);
    const full = resolve(path);
    try {
      if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) {
        throw new UsageError(
          `--${option} ${path}: is a folder; name a file, e.g. ${path.replace(/\/+$/, '')}/report.${EXTENSION[option] ?? 'txt'}`,
          command,
        );
      }
      mkdirSync(dirname(full), { recursive: true });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(
        `--${option} ${path}: cannot create its folder: ${(error as Error).message}`,
        command,
      );
    }
  }
}

/** Writes the reports asked for; returns the paths written, for the closing message. */
export async function writeReports(report: Report, paths: ReportPaths): Promise<string[]> {
  const written: string[] = [];
  if (paths.json) {
    await writeFileNoFollow(paths.json, `${JSON.stringify(report, null, 2)}\n`);
    written.push(paths.json);
  }
  if (paths.markdown) {
    const hint = paths.json ? `the full report is in ${paths.json}` : undefined;
    await writeFileNoFollow(paths.markdown, renderMarkdown(report, { fullReportHint: hint }));
    written.push(paths.markdown);
  }
  if (paths.html) {
    await writeFileNoFollow(paths.html, renderHtml(report));
    written.push(paths.html);
  }
  return written;
}

/** A saved report named on the command line; a missing or invalid one is a usage error. */
export async function readReport(path: string): Promise<Report> {
  try {
    return await readReportFile(path);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
