import { logLines } from '../log/lines.js';
import { registry } from '../secrets/secrets.js';

/**
 * Where the CLI writes: results on stdout, progress and logs on stderr. Every line passes through
 * src/log/lines.ts: masked by the secrets registry, so a value interpolated from the environment
 * into the budget file (a token in a header, say) never reaches the terminal or a CI log, and
 * never able to start a workflow command, whatever name or message it quotes.
 */

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** What a command may touch of the process: passed in, so the CLI runs in-process too (demo, tests). */
export interface CliContext {
  stdout: Stream;
  stderr: Stream;
  env: Readonly<Record<string, string | undefined>>;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe. Absent = cannot be interrupted. */
  onInterrupt?: (handler: (signal: string) => void) => () => void;
}

/** `CI=true` (GitHub Actions, GitLab, CircleCI, ...) means nobody watches a live line. */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

export class Output {
  constructor(private readonly context: CliContext) {}

  /** Values to mask from now on (the loaded config's `secrets`, URL credentials). */
  mask(secrets: readonly string[]): void {
    registry.add(...secrets);
  }

  masked(text: string): string {
    return registry.mask(text);
  }

  /** A result line (stdout). */
  out(text = ''): void {
    this.context.stdout.write(`${logLines(text)}\n`);
  }

  /** A log or error line (stderr). */
  err(text = ''): void {
    this.context.stderr.write(`${logLines(text)}\n`);
  }

  /** Raw stderr text without a newline, for the live progress line. */
  errRaw(text: string): void {
    this.context.stderr.write(this.masked(text));
  }

  /** Progress may redraw a line in place: stderr is a terminal and this is not a CI job. */
  get live(): boolean {
    return this.context.stderr.isTTY === true && !isCi(this.context.env);
  }

  get columns(): number {
    const columns = this.context.stderr.columns;
    return typeof columns === 'number' && columns > 20 ? columns : 80;
  }
}
