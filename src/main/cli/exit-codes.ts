import type { ErrorCode } from '@shared/api/errors';

/** Exit codes of `avatar-studio`, documented in README.md. */
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
