/**
 * Kept for services/export/player-export.ts, which imports the list from here (its folder is edited by other work):
 * the list lives in native/tracking/models.ts. Remove once that import is `@tracking/models`.
 */
export { WEBCAM_MODELS } from '@tracking/models';
