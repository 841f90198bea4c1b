import { z } from 'zod';

/**
 * Every failure that crosses the StudioApi boundary is one of these codes with a message written for the user
 * (what happened and what to do). Front doors map codes to their own conventions (CLI exit codes, HTTP statuses).
 */
export const ERROR_CODES = [
  'BAD_REQUEST', // malformed message or parameters that fail validation
  'MESSAGE_TOO_LARGE',
  'UNKNOWN_METHOD',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT', // e.g. the object is in a state that forbids the action
  'LIBRARY_READ_ONLY', // another studio holds the library, or the folder cannot be written
  'LIBRARY_UNAVAILABLE', // the folder is missing, unreadable or not a library
  'LIBRARY_TOO_NEW', // the database was written by a newer studio
  'DISK_FULL',
  'CANCELLED',
  'INTERNAL',
] as const;

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const StudioErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type StudioErrorShape = z.infer<typeof StudioErrorShape>;

export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.details = details;
  }

  toShape(): StudioErrorShape {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }

  static fromShape(shape: StudioErrorShape): StudioError {
    return new StudioError(shape.code, shape.message, shape.details);
  }
}

export function isStudioError(e: unknown): e is StudioError {
  return e instanceof StudioError;
}

/** Turns a zod failure into a message a person can act on: the first few problems, each with its field path. */
export function describeValidationError(error: z.ZodError, what: string): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `Invalid ${what} — ${parts.join('; ')}${more}`;
}
