import type { ErrorCode } from '@shared/api/errors';

/**
 * Exit codes of `avatar-studio`, documented in README.md. A signal that stops the CLI at once (SIGTERM, SIGHUP, a second
 * Ctrl+C; signals.ts) ends it with 128 + the signal's number: 143, 129, 130.
 */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  readOnly: 5,
  libraryUnavailable: 6,
  diskFull: 7,
  jobFailed: 8,
  jobInterrupted: 9,
  cancelled: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'BAD_REQUEST':
    case 'UNKNOWN_METHOD':
    case 'MESSAGE_TOO_LARGE':
      return EXIT.usage;
    case 'NOT_FOUND':
      return EXIT.notFound;
    case 'CONFLICT':
      return EXIT.conflict;
    case 'LIBRARY_READ_ONLY':
      return EXIT.readOnly;
    case 'LIBRARY_UNAVAILABLE':
    case 'LIBRARY_TOO_NEW':
      return EXIT.libraryUnavailable;
    case 'DISK_FULL':
      return EXIT.diskFull;
    case 'CANCELLED':
      return EXIT.cancelled;
    default:
      return EXIT.internal;
  }
}

/**
 * The exit code for a job that ended other than `completed`: cancelled 130, interrupted or paused 9 (resumable), failed
 * with an error whose code means something to the user (not found, conflict, disk full…) that code, otherwise 8.
 */
export function jobExitCode(job: { status: string; error: { code: ErrorCode } | null }): number {
  if (job.status === 'completed') return EXIT.ok;
  if (job.status === 'cancelled') return EXIT.cancelled;
  if (job.status === 'interrupted' || job.status === 'paused') return EXIT.jobInterrupted;
  const mapped = job.error ? exitCodeFor(job.error.code) : EXIT.internal;
  return mapped === EXIT.internal ? EXIT.jobFailed : mapped;
}
