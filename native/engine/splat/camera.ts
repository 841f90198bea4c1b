/** A pinhole camera (CONVENTIONS.md): OpenCV axes, `viewMatrix` world→camera, column-major 4×4. */
export interface Camera {
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  viewMatrix: ArrayLike<number>;
}

export const MAX_IMAGE_SIZE = 4096;

export function validateCamera(cam: Camera): void {
  const { width, height, fx, fy, cx, cy, viewMatrix } = cam;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_IMAGE_SIZE || height > MAX_IMAGE_SIZE) {
    throw new RangeError(`image size ${width}×${height} outside 1×1 … ${MAX_IMAGE_SIZE}×${MAX_IMAGE_SIZE}`);
  }
  for (const [name, v] of [['fx', fx], ['fy', fy], ['cx', cx], ['cy', cy]] as const) {
    if (!Number.isFinite(v)) throw new RangeError(`camera ${name} is not finite: ${v}`);
  }
  if (!(fx > 0 && fy > 0)) throw new RangeError(`camera focal lengths must be > 0 (fx=${fx}, fy=${fy})`);
  if (viewMatrix.length !== 16) throw new RangeError(`viewMatrix must have 16 entries, got ${viewMatrix.length}`);
  for (let i = 0; i < 16; i++) if (!Number.isFinite(viewMatrix[i])) throw new RangeError(`viewMatrix[${i}] is not finite`);
}

/** Camera centre in world space, −Wᵀt. */
export function cameraCentre(view: ArrayLike<number>): [number, number, number] {
  const t = [view[12], view[13], view[14]];
  // W[r][c] = view[c*4 + r]; (Wᵀ t)[c] = Σ_r W[r][c] t[r] = Σ_r view[c*4 + r] t[r]
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) out[c] = -(view[c * 4] * t[0] + view[c * 4 + 1] * t[1] + view[c * 4 + 2] * t[2]);
  return out;
}
