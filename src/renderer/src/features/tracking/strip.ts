import { FACE_CODE, type CaptureTracking } from '../../store/tracking';
import { FIT_LIMIT_PX, FIT_SCALE_PX } from './trackingText';

export const FACE_ROW_H = 18;
export const FIT_ROW_H = 22;

export interface StripColors {
  danger: string;
  warning: string;
  success: string;
  accent: string;
  faint: string;
  muted: string;
  sunken: string;
}

interface RowBox {
  y: number;
  h: number;
}

/** The colour of an untracked reason's bar (the legend in TrackingLegend uses the same CSS variables). */
function reasonColor(code: number, c: StripColors): string {
  switch (code) {
    case FACE_CODE['no-face']:
      return c.danger;
    case FACE_CODE['low-confidence']:
      return c.warning;
    case FACE_CODE['too-dark']:
      return c.accent;
    default:
      return c.faint;
  }
}

/**
 * Draws the Face row (tracked frames as bars whose height is the mesh confidence; untracked frames as full-height
 * bars coloured by reason) and the Fit row (fit error bars with the exclude limit as a dashed line), for the
 * visible range only. Columns hold `perCol` frames when zoomed out: the worst of them is drawn.
 */
export function drawTrackingRows(
  ctx: CanvasRenderingContext2D,
  t: CaptureTracking,
  face: RowBox,
  fit: RowBox,
  range: { f0: number; f1: number; perCol: number; ppf: number; width: number; frameCount: number; xOf: (f: number) => number },
  c: StripColors,
): void {
  const { f0, f1, perCol, ppf, frameCount, xOf, width } = range;
  ctx.fillStyle = c.sunken;
  ctx.fillRect(0, face.y, width, face.h);
  ctx.fillRect(0, fit.y, width, fit.h);
  const n = Math.min(frameCount, t.face.length);
  for (let f = f0 - (f0 % perCol); f <= f1; f += perCol) {
    let code = 0;
    let conf = Infinity;
    let err = -Infinity;
    for (let k = f; k < Math.min(n, f + perCol); k++) {
      const fc = t.face[k];
      if (fc > code) code = fc;
      const cf = t.confidence[k];
      if (!Number.isNaN(cf) && cf < conf) conf = cf;
      const e = t.fitError[k];
      if (!Number.isNaN(e) && e > err) err = e;
    }
    if (code === FACE_CODE.none) continue;
    const x = xOf(f);
    const w = Math.max(1, perCol * ppf - (ppf >= 4 ? 1 : 0));
    if (code === FACE_CODE.tracked || code === FACE_CODE.warned) {
      const hBar = Math.max(2, Math.min(1, conf === Infinity ? 0 : conf) * (face.h - 3));
      ctx.fillStyle = c.success;
      ctx.globalAlpha = 0.85;
      ctx.fillRect(x, face.y + face.h - hBar, w, hBar);
      ctx.globalAlpha = 1;
      if (code === FACE_CODE.warned) {
        ctx.fillStyle = c.warning;
        ctx.fillRect(x, face.y, w, 2);
      }
    } else {
      const col = reasonColor(code, c);
      ctx.fillStyle = col;
      ctx.globalAlpha = 0.45;
      ctx.fillRect(x, face.y, w, face.h);
      ctx.globalAlpha = 1;
      ctx.fillRect(x, face.y, w, 3);
    }
    if (err > -Infinity) {
      const hBar = Math.max(2, Math.min(1, err / FIT_SCALE_PX) * (fit.h - 3));
      ctx.fillStyle = err > FIT_LIMIT_PX ? c.danger : err > FIT_LIMIT_PX / 2 ? c.warning : c.success;
      ctx.globalAlpha = err > FIT_LIMIT_PX ? 1 : 0.8;
      ctx.fillRect(x, fit.y + fit.h - hBar, w, hBar);
      ctx.globalAlpha = 1;
    }
  }
  // The exclude limit.
  ctx.strokeStyle = c.danger;
  ctx.globalAlpha = 0.6;
  ctx.lineWidth = 1;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  const thY = Math.round(fit.y + fit.h - (FIT_LIMIT_PX / FIT_SCALE_PX) * (fit.h - 3)) + 0.5;
  ctx.moveTo(0, thY);
  ctx.lineTo(width, thY);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
}
