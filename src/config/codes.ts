/**
 * Stable codes for every problem a budget file can have. A code names the problem, not its
 * wording: front ends and tests tell problems apart by code, never by matching messages.
 * A code is `<area>.<what>`; once published, a code keeps its meaning.
 */
export const PROBLEM_CODES = [
  // The file as a whole: found, readable, small, a YAML mapping.
  'file.not-found',
  'file.unreadable',
  'file.not-a-file',
  'file.special',
  'file.outside-workspace',
  'file.too-large',
  'file.empty',
  'file.not-mapping',
  'yaml.syntax',
  'yaml.syntax-more',
  'yaml.warning',
  'yaml.too-deep',
  'yaml.aliases',
  'yaml.error',
  // The schema (schemas/perf-budget.schema.json).
  'budget-file.unknown-key',
  'budget-file.missing-key',
  'budget-file.key-needs-key',
  'budget-file.invalid-key',
  'budget-file.text',
  'budget-file.type',
  'budget-file.version',
  'budget-file.const',
  'budget-file.enum',
  'budget-file.range',
  'budget-file.empty-list',
  'budget-file.duplicate-item',
  'budget-file.empty-mapping',
  'budget-file.too-many-keys',
  'budget-file.shape',
  'budget-file.invalid',
  // Values in a unit.
  'latency.unit',
  'latency.not-positive',
  'duration.unit',
  'duration.not-positive',
  'duration.bare-number',
  'rate.unit',
  'increase.unit',
  'confidence.range',
  // ${VAR} interpolation.
  'variable.unclosed',
  'variable.invalid-name',
  'variable.unset',
  'variable.empty',
  // target.
  'target-url.option',
  'target.url',
  'target.url-missing',
  'path.resolve',
  'ready.timeout-over-max-duration',
  'tls.ca-file',
  'tls.insecure-with-secrets',
  'header.duplicate',
  'header.framing',
  'header.routing',
  'header.hop-by-hop',
  'header.line-break',
  // Load.
  'load.duration-too-short',
  'load.timeout-range',
  'load.min-duration-over-duration',
  'load.over-max-duration',
  'load.connections-over-file-limit',
  // Baselines.
  'baseline.two-histories',
  'history.retention-under-lookback',
  'cloudwatch.period',
  'cloudwatch.lookback-too-long',
  'cloudwatch.lookback-under-period',
  // Endpoints.
  'endpoints.too-many',
  'endpoint.method',
  'endpoint.name-duplicate',
  'endpoint.name-look-alike',
  'endpoint.name-invisible',
  'endpoint.name-line-break',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];
