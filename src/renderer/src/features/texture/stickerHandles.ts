import { stickerCornersUv, stickerContains, type StickerTransform } from '@shared/texture';

/** What a pointer-down on a selected sticker grabs: a corner (uniform scale), the rotation knob, or the body (move). */
export type StickerGrab = { kind: 'move' } | { kind: 'scale'; corner: number } | { kind: 'rotate' };

/** The rotation knob sits this far (in UV) above the middle of the sticker's top edge. */
export const ROTATE_KNOB_UV = 0.04;

export function rotateKnobUv(t: StickerTransform, w: number, h: number, mapSize: number): { u: number; v: number } {
  const [tl, tr] = stickerCornersUv(t, w, h, mapSize);
  const mid = { u: (tl.u + tr.u) / 2, v: (tl.v + tr.v) / 2 };
  const dx = mid.u - t.u;
  const dy = mid.v - t.v;
  const len = Math.hypot(dx, dy) || 1;
  return { u: mid.u + (dx / len) * ROTATE_KNOB_UV, v: mid.v + (dy / len) * ROTATE_KNOB_UV };
}

/** The handle under a UV point, given a pick radius in UV; null when the point misses the sticker. */
export function grabAt(t: StickerTransform, w: number, h: number, mapSize: number, uv: { u: number; v: number }, radius: number): StickerGrab | null {
  const knob = rotateKnobUv(t, w, h, mapSize);
  if (Math.hypot(uv.u - knob.u, uv.v - knob.v) <= radius) return { kind: 'rotate' };
  const corners = stickerCornersUv(t, w, h, mapSize);
  const corner = corners.findIndex((c) => Math.hypot(uv.u - c.u, uv.v - c.v) <= radius);
  if (corner >= 0) return { kind: 'scale', corner };
  return stickerContains(t, w, h, mapSize, uv) ? { kind: 'move' } : null;
}

/** The transform after dragging `grab` from `start` (UV) to `now`, starting from `from`. */
export function dragSticker(from: StickerTransform, grab: StickerGrab, start: { u: number; v: number }, now: { u: number; v: number }): StickerTransform {
  if (grab.kind === 'move') return { ...from, u: from.u + now.u - start.u, v: from.v + now.v - start.v };
  if (grab.kind === 'scale') {
    const d0 = Math.hypot(start.u - from.u, start.v - from.v);
    const d1 = Math.hypot(now.u - from.u, now.v - from.v);
    return { ...from, size: Math.max(0.005, Math.min(4, from.size * (d0 > 1e-6 ? d1 / d0 : 1))) };
  }
  const a0 = Math.atan2(start.v - from.v, start.u - from.u);
  const a1 = Math.atan2(now.v - from.v, now.u - from.u);
  return { ...from, rotation: from.rotation + a1 - a0 };
}
