/** The three images kept per evaluated frame, in the order the report shows them. */
export const REPORT_IMAGE_KINDS = [
  { key: 'groundTruth', label: 'Ground truth', shortcut: '1' },
  { key: 'render', label: 'Render', shortcut: '2' },
  { key: 'error', label: 'Error ×4', shortcut: '3' },
] as const;
export type ReportImageKind = 0 | 1 | 2;

/**
 * How much to enlarge an evaluation image (w×h) to fit a box: a whole factor when it is smaller than the box, so every
 * pixel of what was measured shows as an equal square (the images are at the training resolution, often 128 px);
 * the exact fit when it is larger. Never 0.
 */
export function displayScale(w: number, h: number, boxW: number, boxH: number): number {
  if (!(w > 0 && h > 0 && boxW > 0 && boxH > 0)) return 1;
  const fit = Math.min(boxW / w, boxH / h);
  return fit >= 1 ? Math.floor(fit) : fit;
}

/**
 * What a key does in the enlarged view: another frame (←/→ step, Home/End the ends; clamped, since the report's list
 * does not wrap either) or another image (1/2/3, G/R/E), or null for keys it leaves alone.
 */
export function lightboxKey(key: string, sel: number, frames: number, kind: ReportImageKind): { sel: number; kind: ReportImageKind } | null {
  const clamp = (i: number) => Math.max(0, Math.min(frames - 1, i));
  switch (key) {
    case 'ArrowLeft':
      return { sel: clamp(sel - 1), kind };
    case 'ArrowRight':
      return { sel: clamp(sel + 1), kind };
    case 'Home':
      return { sel: 0, kind };
    case 'End':
      return { sel: clamp(frames - 1), kind };
    case '1':
    case 'g':
    case 'G':
      return { sel, kind: 0 };
    case '2':
    case 'r':
    case 'R':
      return { sel, kind: 1 };
    case '3':
    case 'e':
    case 'E':
      return { sel, kind: 2 };
    default:
      return null;
  }
}
