import type { Measurement } from '../measure/types.js';
import { formatCount, formatRatio } from '../units/format.js';
import { QUANTILES, type RegressionMetric } from '../units/metrics.js';
import {
  bootstrapMeanRatioCI,
  bootstrapRatioCI,
  exceedanceTest,
  pairedRatioCI,
  twoProportionTest,
} from './stats.js';
import { metricValue, type HistogramCache, type PercentileEvidence } from './evidence.js';
import { formatP } from './sentences.js';
import type { Significance } from './types.js';

/**
 * Whether a change against a reference deployment is significant (docs/architecture.md §5): a
 * bootstrap interval of the ratio over the requests and, with enough ABBA round pairs, a
 * t-interval over the pairs; a two-proportion test for the error rate; an exceedance test for max.
 */

export interface EvaluateOptions {
  /** Two-sided confidence of bootstrap intervals and tests; one-sided for prediction bounds. Default 0.95. */
  confidence?: number;
  /** Bootstrap resamples. Default 2000. */
  iterations?: number;
  /** Base seed; each endpoint and metric derives its own from it and their names. Default 0. */
  seed?: number;
  /** Keep the side-by-side round pairs in the report (a shard's run, for the merge). */
  keepRoundPairs?: boolean;
}

/**
 * Side-by-side round pairs (2 ABBA blocks) needed before their spread is part of a percentile's or
 * the mean's significance test. With fewer, a t-interval over 1 or 2 degrees of freedom is so wide
 * that hardly any regression could be significant, so the request-level bootstrap decides alone.
 */
export const MIN_ROUND_PAIRS = 4;

export interface RegressionContext extends EvaluateOptions {
  shortOf?: string;
  /** The endpoint's confidence of percentile bounds (SPEC §4). */
  quantileConfidence: number;
  required?: number;
  /** The measured percentile's confidence bounds, for comparisons with a fixed number. */
  percentile?: PercentileEvidence;
  histograms: HistogramCache;
  seed: number;
}

export interface Evidence {
  significant: boolean;
  significance: Significance;
  text: string;
}

export function referenceSignificance(
  metric: RegressionMetric,
  candidate: Measurement,
  reference: Measurement,
  direction: 'regression' | 'improvement',
  context: RegressionContext,
  rounds: readonly { reference: Measurement; candidate: Measurement }[] = [],
): Evidence {
  const confidence = context.confidence ?? 0.95;
  const percent = `${Number((confidence * 100).toFixed(1))}%`;
  if (metric === 'error-rate') {
    const test = twoProportionTest(
      reference.errors,
      reference.requests,
      candidate.errors,
      candidate.requests,
    );
    const significant =
      test.pValue < 1 - confidence && (direction === 'regression' ? test.z > 0 : test.z < 0);
    return {
      significant,
      significance: { test: 'two-proportion', confidence, z: test.z, pValue: test.pValue },
      text: `${formatCount(candidate.errors)} of ${formatCount(candidate.requests)} against ${formatCount(reference.errors)} of ${formatCount(reference.requests)} requests failed (two-proportion test p = ${formatP(test.pValue)}, ${significant ? 'significant' : 'not significant'} at ${percent})`,
    };
  }
  const cand = context.histograms.get(candidate);
  const ref = context.histograms.get(reference);
  if (metric === 'max') {
    // One-sided at half the two-sided level, the same tail a bootstrap CI excluding 1 leaves.
    const alpha = (1 - confidence) / 2;
    const test = direction === 'regression' ? exceedanceTest(ref, cand) : exceedanceTest(cand, ref);
    const significant = test.pValue < alpha;
    const who =
      direction === 'regression'
        ? `${formatCount(test.above)} request${test.above === 1 ? ' was' : 's were'} slower than the slowest reference request`
        : `${formatCount(test.above)} reference request${test.above === 1 ? ' was' : 's were'} slower than the slowest request here`;
    return {
      significant,
      significance: { test: 'exceedance', confidence, above: test.above, pValue: test.pValue },
      text: `${who} (p = ${formatP(test.pValue)}, ${significant ? 'significant' : 'not significant'} at ${percent})`,
    };
  }
  const opts = { confidence, iterations: context.iterations, seed: context.seed };
  const ci =
    metric === 'mean'
      ? bootstrapMeanRatioCI(ref, cand, opts)
      : bootstrapRatioCI(ref, cand, QUANTILES[metric], opts);
  const excludesOne = (i: { low: number; high: number }) =>
    direction === 'regression' ? i.low > 1 : i.high < 1;
  const range = (i: { low: number; high: number }) =>
    `${formatRatio(i.low)}–${formatRatio(i.high)}`;
  const perRound = roundsInterval(metric, rounds, confidence);
  if (!perRound) {
    const significant = excludesOne(ci);
    return {
      significant,
      significance: { test: 'bootstrap', confidence, low: ci.low, high: ci.high },
      text: `${percent} CI of the ratio ${range(ci)} ${significant ? 'excludes' : 'includes'} 1`,
    };
  }
  // Significant only when both the requests and the rounds say so; the reported interval spans
  // both, so it excludes 1 exactly when the verdict counts the change as significant.
  const both = { low: Math.min(ci.low, perRound.low), high: Math.max(ci.high, perRound.high) };
  const significant = excludesOne(both);
  const pairs = `${perRound.pairs} ABBA round pairs`;
  let text: string;
  if (significant)
    text = `${percent} CI of the ratio ${range(both)} excludes 1 (over the requests and over ${pairs})`;
  else if (excludesOne(ci))
    text = `${percent} CI of the ratio over the requests ${range(ci)} excludes 1, over ${pairs} ${range(perRound)} does not: the change did not hold from round to round`;
  else
    text = `${percent} CI of the ratio ${range(both)} includes 1 (over the requests and over ${pairs})`;
  return {
    significant,
    significance: { test: 'bootstrap', confidence, low: both.low, high: both.high },
    text,
  };
}

/** The round-pair interval of a percentile or the mean, when there are enough pairs to judge by. */
export function roundsInterval(
  metric: RegressionMetric,
  rounds: readonly { reference: Measurement; candidate: Measurement }[],
  confidence: number,
): { low: number; high: number; pairs: number } | undefined {
  const pairs = rounds
    .map((r) => ({
      reference: metricValue(r.reference, metric),
      candidate: metricValue(r.candidate, metric),
    }))
    .filter((p) => p.reference > 0 && p.candidate > 0);
  if (pairs.length < MIN_ROUND_PAIRS) return undefined;
  return pairedRatioCI(pairs, confidence);
}
