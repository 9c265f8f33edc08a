// Typed failures; src/report.ts maps them to exit codes (CONTRACT: 1 cloud, 2 input, 130 interrupted).

/** Invalid or missing input: nothing was changed (exit 2). */
export class InputError extends Error {
  override name = 'InputError';
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly code = 'invalid_input',
    readonly missing: string[] = [],
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** A cloud refused or failed a step (exit 1); `fix` tells the user what to do next. */
export class CloudError extends Error {
  override name = 'CloudError';
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly code = 'cloud_error',
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The user interrupted (Ctrl-C, or a prompt was cancelled) (exit 130). */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  readonly exitCode = 130;
  readonly code = 'interrupted';
  readonly fix = undefined;
  constructor(message = 'Interrupted.') {
    super(message);
  }
}

export type KnownError = InputError | CloudError | InterruptedError;

export function isKnownError(err: unknown): err is KnownError {
  return err instanceof InputError || err instanceof CloudError || err instanceof InterruptedError;
}
