import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { decodeHistogram, summarize } from '../measure/histogram.js';
import type { Measurement } from '../measure/types.js';
import type { Report } from './report.js';
import { parseReport } from './validate.js';

/**
 * Saved reports (the action's `report` input, `perf-gate compare`) come from another job, and in
 * the fork pattern from whoever wrote the pull request: they are read as untrusted evidence.
 * Every read is bounded before memory is spent on it.
 */

/**
 * Largest report read. A report holds per endpoint a few KB of findings and one compressed
 * histogram (1–20 KB) per measurement (main run, confirmation, reference): 200 endpoints with
 * every measurement stay under 10 MB. 64 MiB leaves room for that six times over, while parsing
 * it costs a few hundred MB of heap at most, well inside a 7 GB runner.
 */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

/** Nesting deeper than any report has (the schema's deepest path is under 10 levels). */
export const MAX_REPORT_DEPTH = 32;

/**
 * Largest decompressed histogram. perf-gate's histograms (µs, 3 significant digits, up to an
 * hour, auto-resized beyond) have at most ~70,000 counts of at most 9 bytes each: under 640 KB.
 * A compressed payload is checked against this before it is inflated in full.
 */
export const MAX_HISTOGRAM_BYTES = 2 * 1024 * 1024;

/** Largest total of decompressed histograms in one report (many small bombs add up). */
export const MAX_REPORT_HISTOGRAM_BYTES = 256 * 1024 * 1024;

/** Highest histogram value accepted, µs (about 100 days): bounds the counts array decoding allocates. */
const MAX_HISTOGRAM_VALUE = 2 ** 43;

export class ReportFileError extends Error {
  override name = 'ReportFileError';
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * The file's text, read from a regular file of at most MAX_REPORT_BYTES. The file is opened
 * non-blocking and checked with fstat on the opened descriptor, so a FIFO is refused instead of
 * waiting for a writer, and a device (/dev/zero) or a folder is refused before a byte is read.
 */
export async function readReportText(path: string, source = path): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReportFileError(
      code === 'ENOENT'
        ? `${source}: no such file`
        : `${source}: cannot be read: ${(error as Error).message}`,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const kind = info.isDirectory()
        ? 'a folder'
        : info.isFIFO()
          ? 'a named pipe'
          : info.isCharacterDevice() || info.isBlockDevice()
            ? 'a device'
            : info.isSocket()
              ? 'a socket'
              : 'not a regular file';
      throw new ReportFileError(
        `${source}: is ${kind}, not a report file: name the report.json a perf-gate run wrote`,
      );
    }
    if (info.size > MAX_REPORT_BYTES) {
      throw new ReportFileError(
        `${source}: ${mib(info.size)} is larger than a perf-gate report can be (at most ${mib(MAX_REPORT_BYTES)}): name the report.json a perf-gate run wrote`,
      );
    }
    // One byte more than the cap: a file that grew after fstat is caught, not read whole.
    const buffer = Buffer.alloc(Math.min(info.size, MAX_REPORT_BYTES) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_REPORT_BYTES || length > info.size) {
      throw new ReportFileError(`${source}: the file changed while it was read`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof ReportFileError) throw error;
    throw new ReportFileError(`${source}: cannot be read: ${(error as Error).message}`);
  } finally {
    await handle.close();
  }
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped), in one pass. */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Checks that a compressed histogram (hdr-histogram-js's V2 compressed base64) decompresses to at
 * most `budget` bytes and describes a histogram perf-gate could have written, without inflating
 * more than the cap. Returns the decompressed size.
 */
export function checkHistogram(base64: string, where: string, budget: number): number {
  const bytes = Buffer.from(base64, 'base64');
  const bad = (why: string) => new ReportFileError(`${where}: not a perf-gate histogram (${why})`);
  if (bytes.length < 8) throw bad('too short');
  // Cookie 0x1c849304 | word size; then the compressed length, then zlib data.
  if ((bytes.readInt32BE(0) & ~0xf0) !== 0x1c849304) throw bad('unknown encoding');
  const compressed = bytes.readInt32BE(4);
  if (compressed < 0 || compressed > bytes.length - 8) throw bad('truncated');
  const cap = Math.min(MAX_HISTOGRAM_BYTES, budget);
  let inflated: Buffer;
  try {
    inflated = inflateSync(bytes.subarray(8, 8 + compressed), { maxOutputLength: cap });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ReportFileError(
        `${where}: the histogram decompresses to more than ${mib(cap)}; perf-gate's histograms stay under 1 MiB, so this report was not written by perf-gate as it stands`,
      );
    }
    throw bad(`cannot be decompressed: ${(error as Error).message}`);
  }
  // Header: cookie, payload length, normalising offset, significant digits, lowest, highest.
  if (inflated.length < 40) throw bad('no header');
  const digits = inflated.readInt32BE(12);
  const lowest = Number(inflated.readBigInt64BE(16));
  const highest = Number(inflated.readBigInt64BE(24));
  if (digits < 0 || digits > 5) throw bad(`${digits} significant digits`);
  if (lowest < 1 || highest < 2 * lowest || highest > MAX_HISTOGRAM_VALUE) {
    throw bad(`value range ${lowest}–${highest}`);
  }
  return inflated.length;
}

/** Every histogram of a measurement, with where it sits in the report. */
function histogramsOf(m: Measurement | undefined, where: string): Array<[string, string]> {
  if (!m) return [];
  const out: Array<[string, string]> = [[m.histogram, `${where}.histogram`]];
  if (m.uncorrectedHistogram) out.push([m.uncorrectedHistogram, `${where}.uncorrectedHistogram`]);
  return out;
}

/** Checks every histogram of a parsed report against the per-histogram and per-report caps. */
export function checkHistograms(report: Report, source: string): void {
  let budget = MAX_REPORT_HISTOGRAM_BYTES;
  report.endpoints.forEach((e, i) => {
    const at = `${source}: endpoints[${i}]`;
    const all = [
      ...histogramsOf(e.measurement, `${at}.measurement`),
      ...histogramsOf(e.confirmation, `${at}.confirmation`),
    ];
    if (e.baseline.kind === 'reference') {
      all.push(...histogramsOf(e.baseline.measurement, `${at}.baseline.measurement`));
      all.push(...histogramsOf(e.baseline.confirmation, `${at}.baseline.confirmation`));
      (e.baseline.roundPairs ?? []).forEach((pair, r) => {
        all.push(...histogramsOf(pair.reference, `${at}.baseline.roundPairs[${r}].reference`));
        all.push(...histogramsOf(pair.candidate, `${at}.baseline.roundPairs[${r}].candidate`));
      });
    }
    for (const [histogram, where] of all) {
      budget -= checkHistogram(histogram, where, budget);
      if (budget <= 0) {
        throw new ReportFileError(
          `${source}: its histograms decompress to more than ${mib(MAX_REPORT_HISTOGRAM_BYTES)} in all`,
        );
      }
    }
  });
}

/**
 * A measurement's derived figures recomputed from its evidence: percentiles from the histogram,
 * the error rate from the counts. What a report says about them is not trusted.
 */
function rederive(m: Measurement, where: string): Measurement {
  if (m.errors > m.requests) {
    throw new ReportFileError(`${where}: ${m.errors} errors out of ${m.requests} requests`);
  }
  const out: Measurement = {
    ...m,
    errorRate: m.requests === 0 ? 0 : m.errors / m.requests,
    latency: summarize(decodeHistogram(m.histogram)),
  };
  if (m.uncorrectedHistogram) out.uncorrected = summarize(decodeHistogram(m.uncorrectedHistogram));
  return out;
}

/** The report with every measurement's figures recomputed from its histograms and counts. */
export function rederiveMeasurements(report: Report, source: string): Report {
  const endpoints = report.endpoints.map((e, i) => {
    const at = `${source}: endpoints[${i}]`;
    const out = { ...e, measurement: rederive(e.measurement, `${at}.measurement`) };
    if (e.confirmation) out.confirmation = rederive(e.confirmation, `${at}.confirmation`);
    if (e.baseline.kind === 'reference') {
      const baseline = {
        ...e.baseline,
        measurement: rederive(e.baseline.measurement, `${at}.baseline.measurement`),
      };
      if (e.baseline.confirmation) {
        baseline.confirmation = rederive(e.baseline.confirmation, `${at}.baseline.confirmation`);
      }
      if (e.baseline.roundPairs) {
        baseline.roundPairs = e.baseline.roundPairs.map((pair, r) => ({
          reference: rederive(pair.reference, `${at}.baseline.roundPairs[${r}].reference`),
          candidate: rederive(pair.candidate, `${at}.baseline.roundPairs[${r}].candidate`),
        }));
      }
      out.baseline = baseline;
    }
    return out;
  });
  return { ...report, endpoints };
}

/**
 * A saved report, read with every bound: regular file, size, nesting, schema, histogram sizes;
 * its measurements' figures recomputed from their histograms (verdicts and summary are left as
 * written: see gate/rejudge.ts). Throws ReportFileError (or parseReport's Error) with one
 * message naming `source`.
 */
export async function readReportFile(path: string, source = path): Promise<Report> {
  const text = await readReportText(path, source);
  const depth = jsonDepth(text, MAX_REPORT_DEPTH);
  if (depth > MAX_REPORT_DEPTH) {
    throw new ReportFileError(
      `${source}: not a perf-gate report: JSON nested deeper than ${MAX_REPORT_DEPTH} levels`,
    );
  }
  const report = parseReport(text, source);
  checkHistograms(report, source);
  return rederiveMeasurements(report, source);
}
