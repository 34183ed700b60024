/**
 * What the CLI can fail with, each with its exit code. `run.ts` prints these as `error: …` lines; anything
 * else is a bug and keeps its stack.
 */
export const exitCodes = {
  ok: 0,
  /** An API error, an unreachable service, a bad input file, an evaluation that failed or was cancelled. */
  error: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** The evaluation completed but missed a `--fail-under` threshold. */
  thresholdMissed: 3,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.error,
    /** Extra lines printed under the message (offending fields, hints). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string, details: string[] = []) {
    super(message, exitCodes.usage, details);
    this.name = 'UsageError';
  }
}

export interface ApiErrorBody {
  code?: string;
  message?: string;
  errors?: { path: string; message: string }[];
}

/** An error response of the API: `error: <message> (<code>)`, then one line per offending field. */
export class ApiCallError extends CliError {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    hint?: string,
  ) {
    const fields = (body.errors ?? []).map((error) => `  ${error.path || '(body)'}: ${error.message}`);
    super(`${body.message ?? `HTTP ${status}`} (${body.code ?? status})`, exitCodes.error, hint ? [...fields, hint] : fields);
    this.name = 'ApiCallError';
  }
}
