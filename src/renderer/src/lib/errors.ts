import { isStudioError, type StudioErrorShape } from '@shared/api/errors';

/** The message to show a person for any failure: the studio's own message when it has one. */
export function errorMessage(e: unknown): string {
  if (isStudioError(e)) return e.message;
  if (e instanceof Error && e.message) return `Something went wrong: ${e.message}`;
  return 'Something went wrong. Try again; if it keeps happening, restart the studio.';
}

export function toErrorShape(e: unknown): StudioErrorShape {
  if (isStudioError(e)) return e.toShape();
  return { code: 'INTERNAL', message: errorMessage(e) };
}
