// A few error classes so the CLI maps failures to exit codes in one place.

/** A bad option or argument: exit 2, with the usage hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The change could not be evaluated (unknown ref, shallow history, a required service down):
 * exit 2 with one clear line.
 */
export class EvaluationError extends Error {
  override name = 'EvaluationError';
}

/** A git command failed. */
export class GitError extends EvaluationError {
  override name = 'GitError';
}
