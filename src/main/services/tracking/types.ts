/**
 * The tracking types live in native/tracking/types.ts (the tracker is platform-neutral); this re-export keeps
 * `./types` / `../tracking/types` working for track-capture.worker.ts and services/drive/, whose files other work is
 * editing now. New code imports `@tracking/types`; remove this file once those imports are switched.
 */
export type * from '@tracking/types';
