import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../schemas/report.schema.json' with { type: 'json' };
import { REPORT_SCHEMA_VERSION, type Report } from './report.js';

/** Checks JSON against schemas/report.schema.json (reports read back for `report`, `compare`). */

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  return compiled;
}

export type ReportValidation = { valid: true; report: Report } | { valid: false; errors: string[] };

export function validateReport(json: unknown): ReportValidation {
  const validate = validator();
  if (validate(json)) return { valid: true, report: json as unknown as Report };
  return { valid: false, errors: (validate.errors ?? []).map(describe) };
}

/**
 * Parses and validates a report file's text; throws one message naming the file and every
 * problem. `source` names the file in messages.
 */
export function parseReport(text: string, source: string): Report {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${source}: not a perf-gate report: invalid JSON (${(error as Error).message})`,
    );
  }
  const version =
    typeof json === 'object' && json !== null
      ? (json as { schemaVersion?: unknown }).schemaVersion
      : undefined;
  if (version === undefined) {
    throw new Error(
      `${source}: not a perf-gate report: no schemaVersion (expected the report.json a perf-gate run writes)`,
    );
  }
  if (version === 1) {
    throw new Error(
      `${source}: report schemaVersion 1 was written by perf-gate 0.1, whose percentile verdicts came from a fixed sample-count rule; this perf-gate reads version ${REPORT_SCHEMA_VERSION} only: measure again with this version (see docs/report-format.md)`,
    );
  }
  if (version !== REPORT_SCHEMA_VERSION) {
    throw new Error(
      `${source}: report schemaVersion ${JSON.stringify(version)} is not supported; this perf-gate reads version ${REPORT_SCHEMA_VERSION} (use the perf-gate version that wrote it)`,
    );
  }
  const result = validateReport(json);
  if (!result.valid) {
    const shown = result.errors.slice(0, 20);
    const more =
      result.errors.length > shown.length
        ? `\n  … and ${result.errors.length - shown.length} more`
        : '';
    throw new Error(`${source}: not a valid perf-gate report:\n  ${shown.join('\n  ')}${more}`);
  }
  return result.report;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(top level)' : error.instancePath;
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown key "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (error.keyword === 'required') {
    return `${where}: missing "${(error.params as { missingProperty: string }).missingProperty}"`;
  }
  if (error.keyword === 'enum') {
    return `${where}: ${error.message} (${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  }
  return `${where}: ${error.message}`;
}
