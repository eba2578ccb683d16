import type { Config } from '../config/types.js';
import { baselineSource } from '../gate/baselines.js';
import type { Report } from '../report/report.js';
import { actionLog, log } from './log.js';
import type { Settings } from './settings.js';

/**
 * The `publish` input: append this run to the history the budget file judges by (the data
 * branch, or CloudWatch), so later runs have a baseline. A failed publish fails the run.
 */
export async function publish(config: Config, report: Report, settings: Settings): Promise<void> {
  // Where the run is judged from is where it is published to: without a history set up, CloudWatch.
  const source = baselineSource(config);
  if (source.kind === 'github') {
    if (report.summary.cancelled) {
      log.warning('Not publishing to the history: the run was cancelled, its numbers are partial.');
      return;
    }
    await log.group(`Publishing to the data branch ${source.branch}`, async () => {
      const { publishGitHubHistory } = await import('./history.js');
      const failed = await publishGitHubHistory(config, report, settings);
      if (failed) {
        report.summary.errors = [...(report.summary.errors ?? []), { message: failed }];
        report.summary.passed = false;
      }
    });
    return;
  }
  if (report.summary.cancelled) {
    log.warning('Not publishing to CloudWatch: the run was cancelled, its numbers are partial.');
    return;
  }
  const measured = report.endpoints.map((e) => ({ name: e.name, measurement: e.measurement }));
  await log.group('Publishing to CloudWatch', async () => {
    try {
      const { publishMeasurements } = await import('../baseline/cloudwatch-publish.js');
      const cw = config.baseline.cloudwatch;
      const result = await publishMeasurements({
        gateId: config.id,
        namespace: cw?.namespace,
        dimensions: cw?.dimensions ?? {},
        region: cw?.region,
        endpoints: measured,
        timestamp: new Date(report.createdAt),
        log: actionLog.info,
      });
      log.info(`Published ${result.datums} datum(s) in ${result.requests} request(s).`);
    } catch (error) {
      if (!isCloudWatchError(error)) throw error;
      report.summary.errors = [...(report.summary.errors ?? []), { message: error.message }];
      report.summary.passed = false;
    }
  });
}

/** By name: the class is in the lazily loaded CloudWatch modules. */
export function isCloudWatchError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'CloudWatchError';
}
