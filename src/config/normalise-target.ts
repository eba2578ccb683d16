/**
 * `target`: the URL (from the file or the front end's option), the ready check, TLS, and the
 * resolution of every path in the file against the target.
 */
import { X509Certificate } from 'node:crypto';
import { dirname, resolve as resolveFsPath } from 'node:path';
import type * as Raw from './budget-file.generated.js';
import type { PathSegment } from './errors.js';
import {
  add,
  describeText,
  get,
  isMapping,
  unit,
  type NormaliseContext,
} from './normalise-context.js';
import type { Config, TlsSettings } from './types.js';
import { parseDuration, showValue } from '../units/parse.js';
import { formatDuration } from '../units/format.js';
import { checkTargetUrl, resolvePath } from './urls.js';
import { dataAt } from './validate.js';

/** The largest CA file read: a bundle of every public root is about 200 KiB. */
export const MAX_CA_BYTES = 1024 * 1024;

const DEFAULT_READY_TIMEOUT_MS = 5 * 60_000;

/** The target URL: the front end's option when given, else `target.url`; undefined when refused. */
export function targetUrlOf(ctx: NormaliseContext): URL | undefined {
  const { source, options, words } = ctx;
  const fileUrl = get<string>(ctx, ['target', 'url']);
  if (options.targetUrl !== undefined) {
    const checked = checkTargetUrl(options.targetUrl, showValue(options.targetUrl));
    if (checked.ok) return checked.value;
    const problem = {
      code: 'target-url.option' as const,
      file: source.file,
      line: 0,
      col: 0,
      path: '',
      message: `${words.targetUrl}: ${checked.message}`,
    };
    ctx.problems.push({ segments: [], problem });
  } else if (typeof fileUrl === 'string') {
    if (ctx.textSound(['target', 'url'])) {
      const checked = checkTargetUrl(fileUrl, describeText(source, ['target', 'url']));
      if (checked.ok) return checked.value;
      add(ctx, 'target.url', ['target', 'url'], checked.message);
    }
  } else if (ctx.schemaSound(['target'])) {
    const hasTarget = get<Raw.Target>(ctx, ['target']) !== undefined;
    add(
      ctx,
      'target.url-missing',
      hasTarget ? ['target'] : [],
      `no target URL: set target.url (e.g. url: \${PREVIEW_URL}) or ${words.targetUrl}`,
      'key',
    );
  }
  return undefined;
}

/** `path` resolved against the target, same origin only; undefined when refused or no target. */
export function resolveAt(
  ctx: NormaliseContext,
  targetUrl: URL | undefined,
  path: PathSegment[],
  value: string,
): string | undefined {
  if (!targetUrl || !ctx.textSound(path)) return undefined;
  const resolved = resolvePath(targetUrl, value, describeText(ctx.source, path));
  if (resolved.ok) return resolved.value;
  add(ctx, 'path.resolve', path, resolved.message);
  return undefined;
}

/** `target.ready`: where and how long to wait for the target before measuring. */
export function readyOf(
  ctx: NormaliseContext,
  targetUrl: URL | undefined,
): Config['target']['ready'] {
  const rawReady = get<NonNullable<Raw.Target['ready']>>(ctx, ['target', 'ready']);
  if (!rawReady) return undefined;
  const { maxDurationMs } = ctx.options;
  const timeoutMs =
    rawReady.timeout === undefined
      ? DEFAULT_READY_TIMEOUT_MS
      : unit(
          ctx,
          'duration.unit',
          ['target', 'ready', 'timeout'],
          rawReady.timeout,
          parseDuration,
          (n) =>
            n <= 0
              ? { code: 'duration.not-positive', message: 'expected a duration greater than 0' }
              : maxDurationMs !== undefined && n > maxDurationMs
                ? {
                    code: 'ready.timeout-over-max-duration',
                    message: `expected a ready timeout of at most the max-duration (${formatDuration(maxDurationMs)}); lower it, or raise ${ctx.words.maxDuration}`,
                  }
                : undefined,
        );
  const url = resolveAt(ctx, targetUrl, ['target', 'ready', 'path'], rawReady.path);
  return url !== undefined && timeoutMs !== undefined ? { url, timeoutMs } : undefined;
}

/**
 * `target.tls`: the CA file read and checked; `insecure` refused when the requests carry
 * secrets, which an unchecked connection would hand to whoever answers.
 */
export function tlsOf(ctx: NormaliseContext, targetUrl: URL | undefined): TlsSettings {
  const raw = get<NonNullable<Raw.Target['tls']>>(ctx, ['target', 'tls']);
  const out: TlsSettings = { insecure: raw?.insecure === true };
  if (typeof raw?.ca === 'string' && ctx.textSound(['target', 'tls', 'ca'])) {
    out.caFile = raw.ca;
    if (ctx.options.readFile) {
      const read = readCa(ctx, ctx.options.readFile, raw.ca);
      if (typeof read === 'string') out.ca = read;
      else add(ctx, 'tls.ca-file', ['target', 'tls', 'ca'], read.problem);
    }
  }
  if (out.insecure) {
    const carried = secretsSent(ctx, targetUrl);
    if (carried.length > 0) {
      add(
        ctx,
        'tls.insecure-with-secrets',
        ['target', 'tls', 'insecure'],
        `insecure: true turns certificate checks off, so any machine on the way could pose as the target and read ${carried.join(' and ')}: give the target's CA in target.tls.ca (or NODE_EXTRA_CA_CERTS) instead`,
      );
    }
  }
  return out;
}

/** What of the requests is secret: `${VAR}` values in headers, credentials in the target URL. */
function secretsSent(ctx: NormaliseContext, targetUrl: URL | undefined): string[] {
  const { source } = ctx;
  const out: string[] = [];
  const interpolatedHeader = (at: PathSegment[]): boolean => {
    const headers = dataAt(source.data, at);
    return (
      isMapping(headers) &&
      Object.values(headers).some((v) => typeof v === 'string' && v.includes('${'))
    );
  };
  const endpoints = dataAt(source.data, ['endpoints']);
  const endpointCount = Array.isArray(endpoints) ? endpoints.length : 0;
  const headerPaths: PathSegment[][] = [['target', 'headers']];
  for (let i = 0; i < endpointCount; i++) headerPaths.push(['endpoints', i, 'headers']);
  if (headerPaths.some(interpolatedHeader)) out.push('the headers that carry ${VAR} values');
  if (targetUrl && (targetUrl.username || targetUrl.password)) {
    out.push(
      `the credentials in ${ctx.options.targetUrl !== undefined ? ctx.words.targetUrl : 'target.url'}`,
    );
  }
  return out;
}

/** The CA file's PEM text, or why it cannot be used. */
function readCa(
  ctx: NormaliseContext,
  readFile: (path: string) => Buffer,
  file: string,
): string | { problem: string } {
  const path = resolveFsPath(dirname(ctx.source.file), file);
  let bytes: Buffer;
  try {
    bytes = readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder'
          : code === 'EFBIG'
            ? `larger than ${MAX_CA_BYTES / 1024} KiB`
            : `cannot be read (${code ?? (e as Error).message})`;
    return {
      problem: `CA file ${JSON.stringify(file)} (${path}): ${why}; give a PEM file of certificates, relative to the budget file`,
    };
  }
  const text = bytes.toString('utf8');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const bad = blocks.findIndex((pem) => {
    try {
      new X509Certificate(pem);
      return false;
    } catch {
      return true;
    }
  });
  if (blocks.length === 0 || bad >= 0) {
    return {
      problem: `CA file ${JSON.stringify(file)}: ${blocks.length === 0 ? 'holds no PEM certificate ("-----BEGIN CERTIFICATE-----")' : `certificate ${bad + 1} cannot be parsed`}; give the PEM certificate of the CA that signed the target's certificate`,
    };
  }
  return blocks.join('\n');
}
