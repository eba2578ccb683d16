import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { computeStatistic, startCloudWatch } from '../servers/cloudwatch.js';
import type { CloudWatchServer, StoredDatum } from '../servers/cloudwatch.js';

/**
 * The loopback CloudWatch holds the service's limits and answers the way the service does, so
 * a client that passes here passes there. Driven with the real SDK.
 */

describe('loopback CloudWatch', () => {
  let cw: CloudWatchServer;
  let client: CloudWatchClient;
  const now = Date.now();

  beforeAll(async () => {
    cw = await startCloudWatch();
    client = new CloudWatchClient({
      endpoint: cw.url,
      region: 'us-west-2',
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await cw.close();
  });
  beforeEach(() => {
    cw.store.clear();
    cw.requests.length = 0;
    cw.setMode({ kind: 'normal' });
    cw.setPageSize(undefined);
  });

  const datum = (extra: Partial<MetricDatum> = {}): MetricDatum => ({
    MetricName: 'Latency',
    Unit: 'Milliseconds',
    Timestamp: new Date(now - 60_000),
    Dimensions: [{ Name: 'Gate', Value: 'api' }],
    Values: [1, 2, 3],
    Counts: [1, 1, 1],
    ...extra,
  });
  const put = (MetricData: MetricDatum[], Namespace = 'PerfGate') =>
    client.send(new PutMetricDataCommand({ Namespace, MetricData }));

  test.each([
    [
      'more than 1000 datums',
      () => put(Array.from({ length: 1001 }, () => datum())),
      'The collection MetricData must not have a size greater than 1000.',
    ],
    [
      'more than 150 values',
      () => put([datum({ Values: Array.from({ length: 151 }, (_, i) => i), Counts: undefined })]),
      'The collection MetricData.member.1.Values must not have a size greater than 150.',
    ],
    ['Counts not matching Values', () => put([datum({ Counts: [1] })]), 'must be of the same size'],
    ['Value with Values', () => put([datum({ Value: 1 })]), 'mutually exclusive'],
    ['an AWS/ namespace', () => put([datum()], 'AWS/EC2'), 'parameter Namespace is invalid'],
    [
      'a timestamp over two weeks old',
      () => put([datum({ Timestamp: new Date(now - 15 * 86_400_000) })]),
      'no more than two weeks in the past',
    ],
    [
      'an unknown unit',
      () => put([datum({ Unit: 'Fortnights' as MetricDatum['Unit'] })]),
      'is not a valid unit',
    ],
  ])('PutMetricData refuses %s, storing nothing', async (_what, call, message) => {
    const error = await call().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain(message);
    expect(cw.store.datums).toHaveLength(0);
  });

  test('PutMetricData refuses a body over 1 MB with 413', async () => {
    const big = Array.from({ length: 1000 }, () =>
      datum({
        Values: Array.from({ length: 150 }, (_, i) => 1000.123456 + i),
        Counts: Array.from({ length: 150 }, () => 12345),
      }),
    );
    const error = await put(big).then(
      () => undefined,
      (e: { name: string; $metadata: { httpStatusCode: number } }) => e,
    );
    expect(error?.name).toBe('RequestEntityTooLarge');
    expect(error?.$metadata.httpStatusCode).toBe(413);
    expect(cw.requests[0].gzip).toBe(true);
    expect(cw.requests[0].bodyBytes).toBeGreaterThan(1_048_576);
  });

  test('GetMetricData: percentiles per period, MaxDatapoints pages, tokens bound to their request', async () => {
    // Three periods of 1..100 ms shifted by the period index.
    for (let k = 0; k < 3; k++) {
      await put([
        datum({
          Timestamp: new Date(now - (k + 1) * 3600_000),
          Values: Array.from({ length: 100 }, (_, i) => i + 1 + k),
          Counts: undefined,
        }),
      ]);
    }
    const request = {
      StartTime: new Date(now - 6 * 3600_000),
      EndTime: new Date(now),
      ScanBy: 'TimestampAscending' as const,
      MaxDatapoints: 2,
      MetricDataQueries: [
        {
          Id: 'p',
          MetricStat: {
            Metric: {
              Namespace: 'PerfGate',
              MetricName: 'Latency',
              Dimensions: [{ Name: 'Gate', Value: 'api' }],
            },
            Period: 3600,
            Stat: 'p95',
          },
        },
      ],
    };
    const first = await client.send(new GetMetricDataCommand(request));
    expect(first.MetricDataResults?.[0]).toMatchObject({
      Id: 'p',
      Values: [97, 96],
      StatusCode: 'PartialData',
    });
    expect(first.NextToken).toBeDefined();
    const second = await client.send(
      new GetMetricDataCommand({ ...request, NextToken: first.NextToken }),
    );
    expect(second.MetricDataResults?.[0]).toMatchObject({ Values: [95], StatusCode: 'Complete' });
    expect(second.NextToken).toBeUndefined();
    const timestamps = [
      ...first.MetricDataResults![0].Timestamps!,
      ...second.MetricDataResults![0].Timestamps!,
    ];
    expect(timestamps.map((t) => t.getTime())).toEqual(
      [...timestamps].map((t) => t.getTime()).sort((a, b) => a - b),
    );
    // A token from another request is refused.
    const stranger = client.send(
      new GetMetricDataCommand({ ...request, MaxDatapoints: 3, NextToken: first.NextToken }),
    );
    await expect(stranger).rejects.toMatchObject({ name: 'InvalidNextToken' });
    // Newest first by default.
    const desc = await client.send(
      new GetMetricDataCommand({ ...request, ScanBy: undefined, MaxDatapoints: undefined }),
    );
    expect(desc.MetricDataResults?.[0].Values).toEqual([95, 96, 97]);
  });

  // The Dimension reference: ASCII only, a non-whitespace character, no control characters,
  // values 1-1024 and names 1-255 characters, names not starting with ":".
  const BAD_DIMENSIONS: [string, { Name: string; Value: string }, string][] = [
    ['a non-ASCII value', { Name: 'Endpoint', Value: 'Suche – café ✓' }, 'Value'],
    ['an accented value', { Name: 'Endpoint', Value: 'café' }, 'Value'],
    ['an all-space value', { Name: 'Endpoint', Value: ' ' }, 'Value'],
    ['an all-whitespace value', { Name: 'Endpoint', Value: ' \t ' }, 'Value'],
    ['a value with a control character', { Name: 'Endpoint', Value: 'a\u0007b' }, 'Value'],
    ['a value with DEL', { Name: 'Endpoint', Value: 'a\u007fb' }, 'Value'],
    ['an empty value', { Name: 'Endpoint', Value: '' }, 'Value'],
    ['a value over 1024 characters', { Name: 'Endpoint', Value: 'x'.repeat(1025) }, 'Value'],
    ['a non-ASCII name', { Name: 'Endpünkt', Value: 'x' }, 'Name'],
    ['a name starting with a colon', { Name: ':Endpoint', Value: 'x' }, 'Name'],
    ['an all-space name', { Name: '  ', Value: 'x' }, 'Name'],
  ];

  test.each(BAD_DIMENSIONS)(
    'PutMetricData refuses %s with InvalidParameterValue, storing nothing',
    async (_what, dimension, part) => {
      const error = await put([datum({ Dimensions: [{ Name: 'Gate', Value: 'api' }, dimension] })])
        .then(() => undefined)
        .catch((e: { name: string; message: string; $metadata: { httpStatusCode: number } }) => e);
      expect(error).toMatchObject({
        name: 'InvalidParameterValueException',
        message: `The parameter MetricData.member.1.Dimensions.member.2.${part} is invalid.`,
        $metadata: { httpStatusCode: 400 },
      });
      expect(cw.store.datums).toHaveLength(0);
      // AWS JSON 1.0 error shape: a JSON body with __type and message, and the query error header.
      expect(cw.requests[0]).toMatchObject({ status: 400, errorCode: 'InvalidParameterValue' });
    },
  );

  test.each(BAD_DIMENSIONS)(
    "GetMetricData refuses %s in a query's metric",
    async (_what, dimension, part) => {
      await expect(
        client.send(
          new GetMetricDataCommand({
            StartTime: new Date(now - 3600_000),
            EndTime: new Date(now),
            MetricDataQueries: [
              {
                Id: 'q0',
                MetricStat: {
                  Metric: { Namespace: 'PerfGate', MetricName: 'Latency', Dimensions: [dimension] },
                  Period: 60,
                  Stat: 'p50',
                },
              },
            ],
          }),
        ),
      ).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
        message: `The parameter MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.${part} is invalid.`,
      });
    },
  );

  test('takes the edges of the rules: 1024 printable ASCII characters, inner spaces, a tilde', async () => {
    await put([
      datum({
        Dimensions: [
          { Name: 'Endpoint', Value: ' ~'.repeat(512) },
          { Name: 'Other', Value: ' x ' },
          { Name: 'N'.repeat(255), Value: '!' },
        ],
      }),
    ]);
    expect(cw.store.datums).toHaveLength(1);
  });

  test('GetMetricData refuses more than 500 queries and unknown statistics', async () => {
    const query = (i: number, Stat = 'p50') => ({
      Id: `q${i}`,
      MetricStat: { Metric: { Namespace: 'PerfGate', MetricName: 'Latency' }, Period: 60, Stat },
    });
    const base = { StartTime: new Date(now - 3600_000), EndTime: new Date(now) };
    await expect(
      client.send(
        new GetMetricDataCommand({
          ...base,
          MetricDataQueries: Array.from({ length: 501 }, (_, i) => query(i)),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('500'),
    });
    await expect(
      client.send(new GetMetricDataCommand({ ...base, MetricDataQueries: [query(0, 'median')] })),
    ).rejects.toMatchObject({ message: expect.stringContaining('is not a valid statistic') });
  });

  test('statistics: no percentiles from summarised statistic sets, as CloudWatch documents', () => {
    const at = { namespace: 'N', metricName: 'M', dimensions: {}, timestamp: 0 };
    const raw: StoredDatum = { ...at, values: [10, 20, 30], counts: [1, 2, 1] };
    const set: StoredDatum = {
      ...at,
      values: [],
      counts: [],
      statisticValues: { SampleCount: 4, Sum: 100, Minimum: 5, Maximum: 50 },
    };
    expect(computeStatistic([raw], 'p50')).toBe(20);
    expect(computeStatistic([raw], 'Average')).toBe(20);
    expect(computeStatistic([raw, set], 'Average')).toBe(22.5); // (80 + 100) / 8
    expect(computeStatistic([raw, set], 'Maximum')).toBe(50);
    expect(computeStatistic([raw, set], 'SampleCount')).toBe(8);
    expect(computeStatistic([raw, set], 'p50')).toBeUndefined();
    // A set of one repeated value still has a distribution.
    const repeated: StoredDatum = {
      ...at,
      values: [],
      counts: [],
      statisticValues: { SampleCount: 3, Sum: 21, Minimum: 7, Maximum: 7 },
    };
    expect(computeStatistic([raw, repeated], 'p50')).toBe(10);
  });

  test('the two readings of CloudWatch percentiles differ where the rank convention matters', () => {
    const at = { namespace: 'N', metricName: 'M', dimensions: {}, timestamp: now, unit: 'None' };
    const d: StoredDatum = { ...at, values: [10, 20, 30, 40], counts: [1, 1, 1, 1] };
    expect(computeStatistic([d], 'p50', 'nearest-rank')).toBe(20);
    expect(computeStatistic([d], 'p50', 'interpolated')).toBe(25);
    expect(computeStatistic([d], 'p90', 'nearest-rank')).toBe(40);
    expect(computeStatistic([d], 'p90', 'interpolated')).toBeCloseTo(37, 9);
    expect(computeStatistic([d], 'p100', 'interpolated')).toBe(40);
    expect(computeStatistic([d], 'p0', 'interpolated')).toBe(10);
  });
});
