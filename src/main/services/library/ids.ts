import { randomBytes } from 'node:crypto';

/** Ids for projects, jobs and everything else the library stores: 128 random bits as 32 hex characters. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}
