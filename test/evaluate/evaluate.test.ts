import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Baseline } from '../../src/baseline/types.js';
import type { EndpointConfig, Tolerance } from '../../src/config/types.js';
import {
  evaluateEndpoint,
  evaluateRun,
  evaluatedMetrics,
  needsConfirmation,
  bootstrapMinimum,
  summarizeRun,
  worstVerdict,
} from '../../src/evaluate/evaluate.js';
import type { Breach, Verdict } from '../../src/evaluate/types.js';
import type { Measurement } from '../../src/measure/types.js';
import {
  NO_BASELINE,
  cloudwatch,
  endpoint,
  lognormal,
  measurementOf,
  mix,
  reference,
  sequentialCapRecord,
} from '../support/measurements.js';

const TEN_PERCENT: Tolerance = { maxIncrease: 0.1, minDelta: 1 };
const ERRORS: Tolerance = { maxIncrease: 0.5, minDelta: 0.005 };

// 950 requests at 100 ms and 50 at 300 ms: p50..p95 are 100 ms and p99 300 ms (HDR reports the
// top of the 100 ms bucket, 100.031 ms, which prints as "100 ms").
const steady = measurementOf(mix([950, 100], [50, 300]));
const slower = measurementOf(mix([950, 130], [50, 300]));
// Log-normal samples for the paths where significance matters.
const refSample = lognormal(1, 2000, 100, 0.5);
const candSample = lognormal(2, 2000, 100, 0.5);
const scaled = (values: number[], factor: number, options = {}) =>
  measurementOf(
    values.map((v) => v * factor),
    options,
  );

interface Case {
  name: string;
  endpoint: Partial<EndpointConfig>;
  measurement: Measurement;
  baseline?: Baseline;
  metric: string;
  verdict: Verdict;
  breaches?: Breach[];
  reason: string | RegExp;
}

const cases: Case[] = [
  // Budgets
  // Percentile budgets: judged by the order-statistic confidence bounds (SPEC §4)
  {
    name: 'latency within budget: the upper bound is at or under the limit',
    endpoint: { budget: { p90: 200 } },
    measurement: steady, // p90's 95% upper bound is the 916th of 1,000: 100 ms
    metric: 'p90',
    verdict: 'pass',
    reason:
      'p90 ≤ 100 ms with 95% confidence, within the 200 ms budget (measured 100 ms over 1,000 requests)',
  },
  {
    name: 'latency over budget: the lower bound is above the limit',
    endpoint: { budget: { p95: 90 } },
    measurement: steady,
    metric: 'p95',
    verdict: 'budget-exceeded',
    breaches: ['budget'],
    reason:
      'p95 ≥ 100 ms with 95% confidence, over the 90 ms budget (measured 100 ms over 1,000 requests)',
  },
  {
    name: 'a p95 on the edge of its mass is inconclusive, however many requests come',
    // Exactly 95% at 100 ms: the true p95 may be 100 ms or 300 ms, and more requests from the same
    // distribution would stay on the edge.
    endpoint: { budget: { p95: 200 } },
    measurement: steady,
    metric: 'p95',
    verdict: 'inconclusive',
    reason:
      'p95 may be over or under the 200 ms budget: with 95% confidence it is between 100 ms and 300 ms (measured 100 ms over 1,000 requests); the share of requests at or under the limit is too close to what a p95 at the limit gives for more requests alone to settle it',
  },
  {
    name: 'a bound that rounds to the budget is shown with more digits',
    // 200.1 ms is recorded in the HDR bucket 200.064–200.191 ms; the lower bound is its bottom.
    endpoint: { budget: { p99: 200 } },
    measurement: measurementOf(mix([1000, 200.1])),
    metric: 'p99',
    verdict: 'budget-exceeded',
    breaches: ['budget'],
    reason:
      'p99 ≥ 200.064 ms with 95% confidence, over the 200 ms budget (measured 200 ms over 1,000 requests)',
  },
  {
    name: 'mean over budget',
    endpoint: { budget: { mean: 105 } },
    measurement: steady, // (950·100.031 + 50·300.031) / 1000 ≈ 110 ms
    metric: 'mean',
    verdict: 'budget-exceeded',
    breaches: ['budget'],
    reason: 'mean 110 ms is over the 105 ms budget',
  },
  {
    name: 'max within budget',
    endpoint: { budget: { max: 1000 } },
    measurement: steady,
    metric: 'max',
    verdict: 'pass',
    reason: 'max 300 ms is within the 1.00 s budget',
  },
  {
    name: 'error rate over budget',
    endpoint: { budget: { 'error-rate': 0.01 } },
    measurement: measurementOf(mix([1000, 50]), { errors: 20 }),
    metric: 'error-rate',
    verdict: 'budget-exceeded',
    breaches: ['budget'],
    reason: 'error rate 2.0% is over the 1.0% budget',
  },
  {
    name: 'error rate at the budget passes',
    endpoint: { budget: { 'error-rate': 0.01 } },
    measurement: measurementOf(mix([1000, 50]), { errors: 10 }),
    metric: 'error-rate',
    verdict: 'pass',
    reason: 'error rate 1.0% is within the 1.0% budget',
  },
  {
    name: 'throughput under min-rps',
    endpoint: { budget: { 'min-rps': 120 } },
    measurement: measurementOf(mix([1000, 50]), { throughput: 85 }),
    metric: 'min-rps',
    verdict: 'budget-exceeded',
    breaches: ['budget'],
    reason: 'throughput 85 req/s is under the 120 req/s minimum',
  },
  {
    name: 'throughput meeting min-rps',
    endpoint: { budget: { 'min-rps': 50 } },
    measurement: measurementOf(mix([1000, 50]), { throughput: 1234.4 }),
    metric: 'min-rps',
    verdict: 'pass',
    reason: 'throughput 1,234 req/s meets the 50 req/s minimum',
  },
  // Few requests: what the bounds can and cannot settle (the first version wanted ⌈10 / (1 − q)⌉)
  {
    name: 'ten responses all over a p95 limit are a certain breach',
    endpoint: { budget: { p95: 200 } },
    measurement: measurementOf(mix([10, 500])),
    metric: 'p95',
    verdict: 'budget-exceeded',
    breaches: ['budget'],
    // The lower bound is the 8th of 10: P(Bin(10, 0.95) ≥ 8) = 0.9885.
    reason:
      'p95 ≥ 500 ms with 95% confidence, over the 200 ms budget (measured 500 ms over 10 requests)',
  },
  {
    name: '640 responses all far under a p99 limit are a certain pass',
    endpoint: { budget: { p99: 1000 } },
    measurement: measurementOf(mix([640, 100])),
    metric: 'p99',
    verdict: 'pass',
    reason:
      'p99 ≤ 100 ms with 95% confidence, within the 1.00 s budget (measured 100 ms over 640 requests)',
  },
  {
    name: 'all under the limit, but too few requests for an upper bound: inconclusive, with how many more',
    endpoint: { budget: { p95: 200 } },
    measurement: measurementOf(mix([40, 100])),
    metric: 'p95',
    verdict: 'inconclusive',
    // An upper bound of p95 at 95% needs 0.95^n ≤ 0.05: n ≥ 59.
    reason:
      'p95 may be over or under the 200 ms budget: with 95% confidence it is at least 100 ms, with no upper bound from 40 requests (one needs 59) (measured 100 ms over 40 requests); about 19 more requests would settle it if latencies kept the distribution measured so far (an estimate)',
  },
  {
    name: 'a measured p95 over the limit that the interval cannot confirm yet',
    endpoint: { budget: { p95: 200 } },
    measurement: measurementOf(mix([185, 100], [15, 300])), // 92.5% under the limit
    metric: 'p95',
    verdict: 'inconclusive',
    reason:
      /^p95 may be over or under the 200 ms budget: with 95% confidence it is between 100 ms and 300 ms \(measured 300 ms over 200 requests\); about [\d,]+ more requests would settle it if latencies kept the distribution measured so far \(an estimate\)$/,
  },
  {
    name: 'p99.9 of 2,000 requests has a lower bound but no upper one',
    endpoint: { budget: { 'p99.9': 10 } },
    measurement: measurementOf(mix([2000, 5])),
    metric: 'p99.9',
    verdict: 'inconclusive',
    reason:
      'p99.9 may be over or under the 10 ms budget: with 95% confidence it is at least 5.0 ms, with no upper bound from 2,000 requests (one needs 2,995) (measured 5.0 ms over 2,000 requests); about 995 more requests would settle it if latencies kept the distribution measured so far (an estimate)',
  },
  {
    name: 'no requests at all: latency cannot be judged',
    endpoint: { budget: { mean: 10 } },
    measurement: measurementOf([]),
    metric: 'mean',
    verdict: 'inconclusive',
    reason: 'no requests were measured, so there is no mean',
  },
  {
    name: 'no requests at all: throughput is still under its minimum',
    endpoint: { budget: { 'min-rps': 10 } },
    measurement: measurementOf([]),
    metric: 'min-rps',
    verdict: 'budget-exceeded',
    breaches: ['budget'],
    reason: 'throughput 0 req/s is under the 10 req/s minimum',
  },
  // Regression against a reference deployment
  {
    name: 'a 30% slower p50 with a tight interval is a regression',
    endpoint: { regression: { p50: TEN_PERCENT } },
    measurement: slower,
    baseline: reference(steady),
    metric: 'p50',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      'p50 rose 30.0% (+30 ms) against the baseline 100 ms; 95% CI of the ratio 1.30–1.30 excludes 1',
  },
  {
    name: 'a rise within the relative tolerance passes',
    endpoint: { regression: { p50: TEN_PERCENT } },
    measurement: measurementOf(mix([950, 105], [50, 300])),
    baseline: reference(steady),
    metric: 'p50',
    verdict: 'pass',
    reason:
      'p50 rose 5.0% (+5.0 ms) against the baseline 100 ms, within the 10% / 1.0 ms tolerance',
  },
  {
    name: 'a large relative rise under min-delta passes',
    endpoint: { regression: { p50: { maxIncrease: 0.1, minDelta: 5 } } },
    measurement: measurementOf(mix([1000, 1.5])),
    baseline: reference(measurementOf(mix([1000, 1]))),
    metric: 'p50',
    verdict: 'pass',
    reason:
      'p50 rose 50.0% (+0.5 ms) against the baseline 1.0 ms, within the 10% / 5.0 ms tolerance',
  },
  {
    name: 'a rise past both thresholds that the interval cannot tell from noise passes',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: slower, // p95 sits on the edge between 130 ms and 300 ms: resamples swing across it
    baseline: reference(steady),
    metric: 'p95',
    verdict: 'pass',
    reason:
      'p95 rose 30.0% (+30 ms) against the baseline 100 ms, but 95% CI of the ratio 0.43–3.00 includes 1',
  },
  {
    name: 'a log-normal 30% slowdown is a regression at p95',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: scaled(candSample, 1.3),
    baseline: reference(measurementOf(refSample)),
    metric: 'p95',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      /^p95 rose \d+\.\d% \(\+\d+ ms\) against the baseline \d+ ms; 95% CI of the ratio 1\.\d\d–1\.\d\d excludes 1$/,
  },
  {
    name: 'a log-normal 30% speed-up is an improvement, which never fails',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: scaled(candSample, 0.7),
    baseline: reference(measurementOf(refSample)),
    metric: 'p95',
    verdict: 'improvement',
    reason:
      /^p95 fell \d+\.\d% \(-\d+ ms\) against the baseline \d+ ms; 95% CI of the ratio 0\.\d\d–0\.\d\d excludes 1$/,
  },
  {
    name: 'mean regression uses the bootstrap of the mean',
    endpoint: { regression: { mean: TEN_PERCENT } },
    measurement: scaled(candSample, 1.3),
    baseline: reference(measurementOf(refSample)),
    metric: 'mean',
    verdict: 'regression',
    breaches: ['regression'],
    reason: /^mean rose .* 95% CI of the ratio 1\.\d\d–1\.\d\d excludes 1$/,
  },
  {
    name: 'max: one slow outlier is not a regression',
    endpoint: { regression: { max: TEN_PERCENT } },
    measurement: measurementOf([...mix([999, 100]), 900]),
    baseline: reference(measurementOf(mix([999, 100], [1, 200]))),
    metric: 'max',
    verdict: 'pass',
    reason:
      'max rose 350.0% (+700 ms) against the baseline 200 ms, but 1 request was slower than the slowest reference request (p = 0.5, not significant at 95%)',
  },
  {
    name: 'max: ten requests past the reference maximum are',
    endpoint: { regression: { max: TEN_PERCENT } },
    measurement: measurementOf(mix([990, 100], [10, 900])),
    baseline: reference(measurementOf(mix([999, 100], [1, 200]))),
    metric: 'max',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      'max rose 350.0% (+700 ms) against the baseline 200 ms; 10 requests were slower than the slowest reference request (p = 0.00095, significant at 95%)',
  },
  {
    name: 'error rate: 0.5% → 4.0% is a significant regression',
    endpoint: { regression: { 'error-rate': ERRORS } },
    measurement: measurementOf(mix([1000, 50]), { errors: 40 }),
    baseline: reference(measurementOf(mix([1000, 50]), { errors: 5 })),
    metric: 'error-rate',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      'error rate rose 700.0% (+3.5 pts) against the baseline 0.50%; 40 of 1,000 against 5 of 1,000 requests failed (two-proportion test p = <0.0001, significant at 95%)',
  },
  {
    name: 'error rate from zero: no relative change, judged on points and the test',
    endpoint: { regression: { 'error-rate': ERRORS } },
    measurement: measurementOf(mix([1000, 50]), { errors: 30 }),
    baseline: reference(measurementOf(mix([1000, 50]))),
    metric: 'error-rate',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      'error rate rose from 0% to 3.0% (+3.0 pts); 30 of 1,000 against 0 of 1,000 requests failed (two-proportion test p = <0.0001, significant at 95%)',
  },
  {
    name: 'error rate: 1 → 7 of 100 is past the thresholds but not significant',
    endpoint: { regression: { 'error-rate': ERRORS } },
    measurement: measurementOf(mix([100, 50]), { errors: 7 }),
    baseline: reference(measurementOf(mix([100, 50]), { errors: 1 })),
    metric: 'error-rate',
    verdict: 'regression',
    breaches: ['regression'],
    reason: /two-proportion test p = 0\.03, significant/,
  },
  {
    name: 'the reference with too few samples for the bootstrap makes a small rise inconclusive',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: measurementOf(mix([1000, 108])),
    baseline: reference(measurementOf(mix([150, 100]))),
    metric: 'p95',
    verdict: 'inconclusive',
    reason:
      'on the reference, p95 needs 200 requests a side to be compared with a reference, got 150',
  },
  {
    name: 'too few reference requests for the bootstrap, but the order statistics settle a clear rise',
    // The reference's p95 ≤ 100.03 ms and the candidate's ≥ 130 ms, each at 97.5%: 95% together.
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: slower,
    baseline: reference(measurementOf(mix([150, 100]))),
    metric: 'p95',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      'p95 rose 30.0% (+30 ms) against the baseline 100 ms; on the reference, p95 needs 200 requests a side to be compared with a reference, got 150, but the order statistics settle it: p95 ≥ 130 ms here and ≤ 100 ms on the reference (each with 97.5% confidence, 95% together), past the 110 ms the 10% / 1.0 ms tolerance allows',
  },
  {
    name: 'a candidate ten times slower with a dozen requests is a regression, not inconclusive',
    endpoint: { regression: { p95: TEN_PERCENT, p99: TEN_PERCENT } },
    measurement: measurementOf(mix([12, 500])),
    baseline: reference(measurementOf(mix([2000, 50]))),
    metric: 'p95',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      /^p95 rose 900\.\d% \(\+450 ms\) against the baseline 50 ms; p95 needs 200 requests a side to be compared with a reference, got 12, but the order statistics settle it: p95 ≥ 500 ms here and ≤ 50 ms on the reference \(each with 97\.5% confidence, 95% together\), past the 55 ms the 10% \/ 1\.0 ms tolerance allows$/,
  },
  {
    name: 'a dozen requests a little slower than the reference stay inconclusive',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: measurementOf(mix([11, 52], [1, 80])),
    baseline: reference(measurementOf(lognormal(5, 2000, 50, 0.2))),
    metric: 'p95',
    verdict: 'inconclusive',
    reason: 'p95 needs 200 requests a side to be compared with a reference, got 12',
  },
  {
    name: 'over budget and regressed: both breaches count',
    endpoint: { budget: { p50: 120 }, regression: { p50: TEN_PERCENT } },
    measurement: slower,
    baseline: reference(steady),
    metric: 'p50',
    verdict: 'budget-exceeded',
    breaches: ['budget', 'regression'],
    reason:
      'p50 ≥ 130 ms with 95% confidence, over the 120 ms budget (measured 130 ms over 1,000 requests); p50 rose 30.0% (+30 ms) against the baseline 100 ms; 95% CI of the ratio 1.30–1.30 excludes 1',
  },
  {
    name: 'within budget but regressed',
    endpoint: { budget: { p50: 500 }, regression: { p50: TEN_PERCENT } },
    measurement: slower,
    baseline: reference(steady),
    metric: 'p50',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      'p50 rose 30.0% (+30 ms) against the baseline 100 ms; 95% CI of the ratio 1.30–1.30 excludes 1; p50 ≤ 130 ms with 95% confidence, within the 500 ms budget (measured 130 ms over 1,000 requests)',
  },
  // No baseline
  {
    name: 'a regression rule without a baseline',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: steady,
    baseline: NO_BASELINE,
    metric: 'p95',
    verdict: 'no-baseline',
    reason: 'no baseline: no baseline is configured',
  },
  {
    name: 'a budget that holds passes without a baseline, and says there was none',
    endpoint: { budget: { p95: 500 }, regression: { p95: TEN_PERCENT } },
    measurement: steady,
    baseline: NO_BASELINE,
    metric: 'p95',
    verdict: 'pass',
    reason:
      'no baseline: no baseline is configured; p95 ≤ 300 ms with 95% confidence, within the 500 ms budget (measured 100 ms over 1,000 requests)',
  },
  {
    name: 'a budget breach still fails without a baseline',
    endpoint: { budget: { p95: 50 }, regression: { p95: TEN_PERCENT } },
    measurement: steady,
    baseline: NO_BASELINE,
    metric: 'p95',
    verdict: 'budget-exceeded',
    breaches: ['budget'],
    reason:
      'p95 ≥ 100 ms with 95% confidence, over the 50 ms budget (measured 100 ms over 1,000 requests); no baseline: no baseline is configured',
  },
  // CloudWatch history
  {
    name: 'above the median, the thresholds and the prediction bound',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: slower,
    baseline: cloudwatch({ p95: [100, 102, 98, 101, 99, 100, 103] }),
    metric: 'p95',
    verdict: 'regression',
    breaches: ['regression'],
    // MAD 1 → 1.4826 · t(0.95, 6) 1.943 · √(1 + π/14) 1.105 = 3.2 ms above the 100 ms median
    reason:
      'p95 rose 30.0% (+30 ms) against the CloudWatch median 100 ms; p95 ≥ 130 ms with 95% confidence, above 110 ms (the 10% / 1.0 ms tolerance allows 110 ms, the 95% prediction bound is 103 ms)',
  },
  {
    name: 'past the thresholds but within a noisy history',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: measurementOf(mix([1000, 115])),
    baseline: cloudwatch({ p95: [100, 150, 80, 130, 60, 140, 90] }),
    metric: 'p95',
    verdict: 'pass',
    reason:
      /^p95 rose 15\.\d% \(\+15 ms\) against the CloudWatch median 100 ms; p95 ≤ 115 ms with 95% confidence, within 19\d ms \(the 10% \/ 1\.0 ms tolerance allows 110 ms, the 95% prediction bound is 19\d ms\)$/,
  },
  {
    name: 'fewer than 5 periods: thresholds alone decide',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: slower,
    baseline: cloudwatch({ p95: [100, 101, 99] }),
    metric: 'p95',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      'p95 rose 30.0% (+30 ms) against the CloudWatch median 100 ms; p95 ≥ 130 ms with 95% confidence, above 110 ms (the 10% / 1.0 ms tolerance allows 110 ms; only 3 periods of history, too few for a prediction bound)',
  },
  {
    name: 'below the lower prediction bound is an improvement',
    endpoint: { regression: { p95: TEN_PERCENT } },
    measurement: measurementOf(mix([1000, 50])),
    baseline: cloudwatch({ p95: [100, 102, 98, 101, 99, 100, 103] }),
    metric: 'p95',
    verdict: 'improvement',
    reason:
      /^p95 fell 50\.0% \(-50 ms\) against the CloudWatch median 100 ms; p95 ≤ 50 ms with 95% confidence, below 90 ms \(the 10% \/ 1\.0 ms tolerance reaches down to 90 ms, the 95% lower prediction bound is 9\d ms\)$/,
  },
  {
    name: 'error rate from CloudWatch in fractions',
    endpoint: { regression: { 'error-rate': ERRORS } },
    measurement: measurementOf(mix([1000, 50]), { errors: 30 }),
    baseline: cloudwatch({ 'error-rate': [0.001, 0.002, 0.001, 0.0015, 0.001, 0.002] }),
    metric: 'error-rate',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      /^error rate rose .* \(\+2\.\d pts\) against the CloudWatch median 0\.13%; above the 95% prediction bound 0\.\d\d%$/,
  },
  {
    name: 'a metric CloudWatch has no history for',
    endpoint: { regression: { p99: TEN_PERCENT } },
    measurement: steady,
    baseline: cloudwatch({ p95: [100, 101] }),
    metric: 'p99',
    verdict: 'no-baseline',
    reason: 'no baseline: CloudWatch has no p99 history for PerfGate p95 {Service=checkout}',
  },
  {
    name: 'too few requests for an upper bound: inconclusive against the CloudWatch history',
    endpoint: { regression: { p99: TEN_PERCENT } },
    measurement: measurementOf(mix([200, 100])),
    baseline: cloudwatch({ p99: [100, 101, 99, 100, 100] }),
    metric: 'p99',
    verdict: 'inconclusive',
    reason:
      'p99 rose 0.0% (+0.031 ms) against the CloudWatch median 100 ms; with 95% confidence p99 is at least 100 ms, with no upper bound from 200 requests (one needs 299), so it may be above 110 ms (the 10% / 1.0 ms tolerance allows 110 ms, the 95% prediction bound is 100 ms); about 99 more requests would settle it if latencies kept the distribution measured so far (an estimate)',
  },
  {
    name: 'ten responses far above the CloudWatch history are a regression',
    endpoint: { regression: { p99: TEN_PERCENT } },
    measurement: measurementOf(mix([10, 500])),
    baseline: cloudwatch({ p99: [100, 101, 99, 100, 100] }),
    metric: 'p99',
    verdict: 'regression',
    breaches: ['regression'],
    reason:
      'p99 rose 400.2% (+400 ms) against the CloudWatch median 100 ms; p99 ≥ 500 ms with 95% confidence, above 110 ms (the 10% / 1.0 ms tolerance allows 110 ms, the 95% prediction bound is 100 ms)',
  },
];

describe('evaluateEndpoint verdicts', () => {
  test.each(cases)('$name', (c) => {
    const result = evaluateEndpoint(endpoint(c.endpoint), c.measurement, c.baseline ?? NO_BASELINE);
    const finding = result.findings.find((f) => f.metric === c.metric);
    expect(finding).toBeDefined();
    expect(finding!.verdict).toBe(c.verdict);
    expect(finding!.breaches).toEqual(c.breaches ?? []);
    if (typeof c.reason === 'string') expect(finding!.reason).toBe(c.reason);
    else expect(finding!.reason).toMatch(c.reason);
  });
});

describe('what is evaluated', () => {
  test('metrics are the budget ∪ the regression rules, in a fixed order', () => {
    expect(
      evaluatedMetrics(
        endpoint({
          budget: { 'min-rps': 1, p99: 1 },
          regression: { p50: TEN_PERCENT, p99: TEN_PERCENT },
        }),
      ),
    ).toEqual(['p50', 'p99', 'min-rps']);
  });

  test('with no baseline set up, only the budget is judged: no no-baseline findings or reasons', () => {
    const unconfigured = {
      kind: 'none' as const,
      reason: 'no baseline configured',
      configured: false as const,
    };
    const rules = endpoint({
      budget: { p95: 50 },
      regression: { p50: TEN_PERCENT, p95: TEN_PERCENT, 'error-rate': TEN_PERCENT },
    });
    expect(evaluatedMetrics(rules, unconfigured)).toEqual(['p95']);
    const result = evaluateEndpoint(rules, measurementOf(mix([1000, 100])), unconfigured);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      metric: 'p95',
      verdict: 'budget-exceeded',
      reason:
        'p95 ≥ 100 ms with 95% confidence, over the 50 ms budget (measured 100 ms over 1,000 requests)',
    });
    expect(result.baseline).toEqual(unconfigured);
    // Without a budget there is nothing to judge at all.
    const bare = evaluateEndpoint(
      endpoint({ regression: { p95: TEN_PERCENT } }),
      measurementOf(mix([1000, 100])),
      unconfigured,
    );
    expect(bare.findings).toEqual([]);
    expect(bare.verdict).toBe('pass');
    // Set up but without data, the rule still reports it had nothing to compare with.
    const noData = evaluateEndpoint(rules, measurementOf(mix([1000, 100])), NO_BASELINE);
    expect(noData.findings.map((f) => f.verdict)).toEqual([
      'no-baseline',
      'budget-exceeded',
      'no-baseline',
    ]);
  });

  test('regression: false leaves only the budget and never compares', () => {
    const result = evaluateEndpoint(
      endpoint({ budget: { p95: 500 }, regression: false }),
      slower,
      reference(steady),
    );
    expect(result.findings.map((f) => f.metric)).toEqual(['p95']);
    expect(result.findings[0].baseline).toBeUndefined();
    expect(result.findings[0].verdict).toBe('pass');
  });

  test('values, change and delta are kept in config units', () => {
    const [finding] = evaluateEndpoint(
      endpoint({ regression: { p50: TEN_PERCENT } }),
      slower,
      reference(steady),
    ).findings;
    expect(finding.current).toBe(slower.latency.p50);
    expect(finding.baseline).toBe(steady.latency.p50);
    expect(finding.delta).toBeCloseTo(slower.latency.p50 - steady.latency.p50, 10);
    expect(finding.change).toBeCloseTo(
      (slower.latency.p50 - steady.latency.p50) / steady.latency.p50,
      10,
    );
    expect(finding.significance).toMatchObject({ test: 'bootstrap', confidence: 0.95 });
    // Two samples compared with each other: no fixed number, so no percentile interval.
    expect(finding.interval).toBeUndefined();
  });

  test('a side-by-side bootstrap needs ⌈10 / (1 − q)⌉ requests a side', () => {
    expect([0.5, 0.75, 0.9, 0.95, 0.99, 0.999].map(bootstrapMinimum)).toEqual([
      20, 40, 100, 200, 1000, 10000,
    ]);
  });

  test('an endpoint verdict is its worst finding', () => {
    const result = evaluateEndpoint(
      endpoint({ budget: { p50: 1000, 'min-rps': 1000 }, regression: { p50: TEN_PERCENT } }),
      slower,
      reference(steady),
    );
    expect(result.findings.map((f) => f.verdict)).toEqual(['regression', 'budget-exceeded']);
    expect(result.verdict).toBe('budget-exceeded');
    expect(worstVerdict([])).toBe('pass');
    expect(worstVerdict(['pass', 'no-baseline', 'improvement'])).toBe('improvement');
    expect(worstVerdict(['improvement', 'inconclusive'])).toBe('inconclusive');
  });

  test('the result carries what the report needs', () => {
    const e = endpoint({ budget: { p95: 90 } });
    const result = evaluateEndpoint(e, steady, NO_BASELINE);
    expect(result).toMatchObject({
      name: e.name,
      method: 'GET',
      path: e.path,
      line: 12,
      measurement: steady,
    });
    expect(result.baseline).toEqual({ kind: 'none', reason: 'no baseline is configured' });
  });

  test('a CloudWatch baseline is summarised per metric: median, periods and bounds', () => {
    const result = evaluateEndpoint(
      endpoint({ regression: { p95: TEN_PERCENT } }),
      slower,
      cloudwatch({ p95: [100, 102, 98, 101, 99, 100, 103], p50: [50] }),
    );
    expect(result.baseline.kind).toBe('cloudwatch');
    if (result.baseline.kind !== 'cloudwatch') return;
    expect(result.baseline.metrics.p95).toMatchObject({ median: 100, periods: 7 });
    expect(result.baseline.metrics.p95!.high).toBeCloseTo(
      100 + 1.4826 * 1.94318 * Math.sqrt(1 + Math.PI / 14),
      2,
    );
    // The periods themselves are kept for the trend charts.
    expect(result.baseline.metrics.p50).toEqual({ median: 50, periods: 1, values: [50] });
    expect(result.baseline.metrics.p95!.values).toEqual([100, 102, 98, 101, 99, 100, 103]);
  });

  test('bootstrap seeds depend on endpoint and metric, not on the order of the run', () => {
    const input = (name: string) => ({
      endpoint: endpoint({ name, regression: { p95: TEN_PERCENT } }),
      measurement: scaled(candSample, 1.15),
      baseline: reference(measurementOf(refSample)),
    });
    const forward = evaluateRun([input('a'), input('b')]);
    const backward = evaluateRun([input('b'), input('a')]);
    expect(forward.endpoints[0].findings).toEqual(backward.endpoints[1].findings);
    expect(forward.endpoints[1].findings).toEqual(backward.endpoints[0].findings);
  });
});

describe('confirmation (SPEC §5)', () => {
  const rules = endpoint({ budget: { p95: 90 }, regression: { p50: TEN_PERCENT } });

  test('a breach that repeats stays, with both values kept', () => {
    const again = measurementOf(mix([950, 131], [50, 300]));
    const result = evaluateEndpoint(rules, slower, reference(steady), { confirmation: again });
    const p95 = result.findings.find((f) => f.metric === 'p95')!;
    expect(p95.verdict).toBe('budget-exceeded');
    expect(p95.breaches).toEqual(['budget']);
    expect(p95.current).toBe(slower.latency.p95);
    expect(p95.confirmation).toMatchObject({
      current: again.latency.p95,
      verdict: 'budget-exceeded',
      breaches: ['budget'],
    });
    expect(p95.reason).toBe(
      'p95 ≥ 130 ms with 95% confidence, over the 90 ms budget (measured 130 ms over 1,000 requests); repeated on the confirmation run (p95 131 ms)',
    );
    expect(result.confirmation).toBe(again);
    expect(result.verdict).toBe('budget-exceeded');
  });

  test('a breach that does not repeat passes and says so', () => {
    const result = evaluateEndpoint(rules, slower, reference(steady), {
      confirmation: measurementOf(mix([1000, 80])),
    });
    const p95 = result.findings.find((f) => f.metric === 'p95')!;
    expect(p95.verdict).toBe('pass');
    expect(p95.breaches).toEqual([]);
    expect(p95.reason).toBe(
      'p95 ≥ 130 ms with 95% confidence, over the 90 ms budget (measured 130 ms over 1,000 requests); it did not repeat on the confirmation run (p95 80 ms)',
    );
    expect(p95.confirmation!.verdict).toBe('pass');
    const p50 = result.findings.find((f) => f.metric === 'p50')!;
    expect(p50.verdict).toBe('pass'); // 80 ms is an improvement the second time, not a regression
    expect(result.verdict).toBe('pass');
  });

  test('only the kinds of breach that repeat count', () => {
    const both = endpoint({ budget: { p50: 120 }, regression: { p50: TEN_PERCENT } });
    // The confirmation is over budget again but no longer 10% slower than the reference at 121 ms.
    const reference121 = measurementOf(mix([950, 121], [50, 300]));
    const result = evaluateEndpoint(both, slower, reference(steady), {
      confirmation: measurementOf(mix([950, 125], [50, 300])),
      confirmationBaseline: reference(reference121),
    });
    const [p50] = result.findings;
    expect(p50.breaches).toEqual(['budget']);
    expect(p50.verdict).toBe('budget-exceeded');
    expect(result.baseline.kind === 'reference' && result.baseline.confirmation).toBe(reference121);
  });

  test('an inconclusive confirmation never fails', () => {
    const result = evaluateEndpoint(rules, slower, reference(steady), {
      // 30 responses under the 90 ms limit: too few for an upper bound of the p95 (59 needed).
      confirmation: measurementOf(mix([30, 80])),
    });
    const p95 = result.findings.find((f) => f.metric === 'p95')!;
    expect(p95.verdict).toBe('inconclusive');
    expect(p95.breaches).toEqual([]);
    expect(p95.reason).toMatch(
      /the confirmation run was inconclusive \(p95 may be over or under the 90 ms budget: with 95% confidence it is at least 80 ms, with no upper bound from 30 requests \(one needs 59\)/,
    );
  });

  test('side by side, sequentially: a breach seen at the last look only does not count', () => {
    // The record a sequential run carries when it stopped at the cap on a breach `confirm` never
    // saw repeated (gate/side-by-side-sequential.ts).
    const atCap = (unconfirmed: boolean): Measurement => ({
      ...slower,
      adaptive: sequentialCapRecord(unconfirmed),
    });
    const confirmed = evaluateEndpoint(rules, atCap(false), reference(steady));
    expect(confirmed.verdict).toBe('budget-exceeded');
    const result = evaluateEndpoint(rules, atCap(true), reference(steady));
    const p95 = result.findings.find((f) => f.metric === 'p95')!;
    expect(p95.verdict).toBe('inconclusive');
    expect(p95.breaches).toEqual([]);
    expect(p95.reason).toMatch(
      /^p95 ≥ 130 ms with .*; seen at the last look only, and the cap \(the duration\) left no block to confirm it, so it does not count/,
    );
    // The p50 regression of the same run is dropped the same way; nothing fails.
    expect(result.findings.every((f) => f.breaches.length === 0)).toBe(true);
    expect(result.verdict).toBe('inconclusive');
    // Only a record that ran to its cap's last look can carry the flag: written into any other
    // (a saved report's, say), it switches nothing off.
    const forged = (change: object): Measurement => {
      const m = atCap(true);
      return { ...m, adaptive: { ...m.adaptive!, ...change } };
    };
    for (const change of [{ stop: 'settled: breach' }, { look: 12 }, { blocks: undefined }]) {
      expect(evaluateEndpoint(rules, forged(change), reference(steady)).verdict).toBe(
        'budget-exceeded',
      );
    }
  });

  test('needsConfirmation: only a breaching, unconfirmed endpoint', () => {
    expect(needsConfirmation(evaluateEndpoint(rules, slower, reference(steady)))).toBe(true);
    expect(
      needsConfirmation(evaluateEndpoint(rules, measurementOf(mix([1000, 80])), reference(steady))),
    ).toBe(false);
    expect(
      needsConfirmation(
        evaluateEndpoint(rules, slower, reference(steady), { confirmation: slower }),
      ),
    ).toBe(false);
  });
});

describe('evaluateRun and the summary', () => {
  const run = evaluateRun([
    {
      endpoint: endpoint({ name: 'a', budget: { p95: 90 }, regression: { p50: TEN_PERCENT } }),
      measurement: slower,
      baseline: reference(steady),
    },
    {
      endpoint: endpoint({ name: 'b', budget: { p99: 10 } }),
      measurement: measurementOf(mix([10, 5])),
      baseline: NO_BASELINE,
    },
    {
      endpoint: endpoint({ name: 'c', regression: { p95: TEN_PERCENT } }),
      measurement: steady,
      baseline: NO_BASELINE,
    },
    {
      endpoint: endpoint({ name: 'd', regression: { p95: TEN_PERCENT } }),
      measurement: scaled(candSample, 0.7),
      baseline: reference(measurementOf(refSample)),
    },
  ]);

  test('counts findings by kind', () => {
    expect(run.summary).toEqual({
      endpoints: 4,
      violations: 1,
      regressions: 1,
      improvements: 1,
      inconclusive: 1,
      noBaseline: 1,
      passed: false,
    });
    expect(run.endpoints.map((e) => e.verdict)).toEqual([
      'budget-exceeded',
      'inconclusive',
      'no-baseline',
      'improvement',
    ]);
  });

  test('passed is true when no check failed, whatever else was found', () => {
    expect(summarizeRun(run.endpoints.slice(1)).passed).toBe(true);
  });

  test('a cancelled run or a run with errors has not passed', () => {
    expect(summarizeRun([], { cancelled: true })).toMatchObject({ passed: false, cancelled: true });
    expect(summarizeRun([], { errors: [{ message: 'target unreachable' }] }).passed).toBe(false);
    expect(summarizeRun([], { errors: [] })).not.toHaveProperty('errors');
  });

  test('a required baseline that is missing is a run error', () => {
    const result = evaluateRun(
      [
        {
          endpoint: endpoint({ regression: { p95: TEN_PERCENT } }),
          measurement: steady,
          baseline: NO_BASELINE,
        },
      ],
      { baselineRequired: true },
    );
    expect(result.summary.passed).toBe(false);
    expect(result.summary.errors).toEqual([
      {
        endpoint: 'list products',
        message:
          'list products: the budget file requires a baseline, but there is none (no baseline is configured)',
      },
    ]);
  });
});

describe('properties', () => {
  const rules = endpoint({
    regression: {
      p50: TEN_PERCENT,
      p95: TEN_PERCENT,
      p99: TEN_PERCENT,
      mean: TEN_PERCENT,
      max: TEN_PERCENT,
    },
  });

  test('identical measurements are never a regression or an improvement', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: 0.5, max: 2000, noNaN: true }),
        (seed, n, sigma, medianMs) => {
          const m = measurementOf(lognormal(seed, n, medianMs, sigma));
          const result = evaluateEndpoint(rules, m, reference(m), { iterations: 200, seed });
          for (const f of result.findings) {
            expect(['pass', 'inconclusive']).toContain(f.verdict);
            expect(f.breaches).toEqual([]);
          }
        },
      ),
      { seed: 21, numRuns: 30 },
    );
  });

  test('a tenfold slowdown is always a regression, given enough samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1000, max: 4000 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 2000, noNaN: true }),
        (seed, n, sigma, medianMs) => {
          const values = lognormal(seed, n, medianMs, sigma);
          const result = evaluateEndpoint(
            endpoint({
              regression: {
                p50: TEN_PERCENT,
                p95: TEN_PERCENT,
                p99: TEN_PERCENT,
                mean: TEN_PERCENT,
              },
            }),
            measurementOf(values.map((v) => v * 10)),
            reference(measurementOf(values)),
            { iterations: 200, seed },
          );
          for (const f of result.findings) expect(f.verdict).toBe('regression');
        },
      ),
      { seed: 22, numRuns: 30 },
    );
  });
});
