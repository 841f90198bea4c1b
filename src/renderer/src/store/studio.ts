import type { StudioConnection } from '../api/studio';

/** The one connection to the services host for this window, set at startup by main.tsx. */
let connection: StudioConnection | null = null;

export function setStudio(c: StudioConnection): void {
  connection = c;
}

export function studio(): StudioConnection {
  if (!connection) throw new Error('The studio connection is not set up yet.');
  return connection;
}
