import type { Measurement } from '../measure/types.js';
import type { RegressionMetric } from '../units/metrics.js';

/** A baseline for one endpoint, as data: evaluation never does I/O. */
export type Baseline =
  | {
      kind: 'reference';
      /** The reference deployment's URL (credentials stripped). */
      source: string;
      /** Merged over all rounds. */
      measurement: Measurement;
      /** The measurement comes from a saved report (`perf-gate compare`), not from this run. */
      saved?: true;
      /** Side-by-side rounds in ABBA order, each pair measured on the same runner. */
      rounds?: { reference: Measurement; candidate: Measurement }[];
    }
  | {
      /**
       * A history of per-period values, judged by median and prediction bound (SPEC §5):
       * CloudWatch's periods, or the runs kept in a data branch (`store: 'github'`), one run a
       * period. Both feed the same judge.
       */
      kind: 'cloudwatch';
      /** Where the history is kept; absent = CloudWatch. */
      store?: 'github';
      /** Human-readable: namespace, metric and dimensions, or the data branch. */
      source: string;
      /** Per-period values over the lookback, oldest first: latency in ms, error-rate as a fraction. */
      periods: Partial<Record<RegressionMetric, number[]>>;
      /** CloudWatch said the data was partial (PartialData / a page cap was hit). */
      partial: boolean;
    }
  | {
      kind: 'none';
      /** Why there is no baseline (not configured, no history yet, ...). */
      reason: string;
      /**
       * `false` when no baseline is set up for the endpoint at all (no baseline-url, no
       * CloudWatch): its metrics are then judged by their budgets alone, and a metric without a
       * budget is not a finding (docs/architecture.md, "Verdicts"). Absent: a baseline is set up
       * but has no data, which `no-baseline` findings report.
       */
      configured?: false;
    };
