/**
 * Trainer checkpoints: bound parameters + Adam moments + densification statistics + step, in one ArrayBuffer.
 *
 * Layout (little-endian): u32 header [magic 'AVC1' = 0x31435641, version 2, step, count N, SH degree, K = SH coeffs,
 * learning-rate scale (f32 bits; < 1 after NaN rollbacks), rollback count] (version 1: the first 6 words only),
 * then u32 triangle[N], then f32 arrays in this order: barycentric N×2, offset N, rotations N×4, logScales N×3,
 * opacities N, sh N×K×3, Adam (m, v) for means N×3, logScales N×3, rotations N×4, opacities N, sh N×K×3 (moments in
 * the bound layout, means = [b0, b1, d]), densification stats N×4; then optional trailing sections, each
 * u32 [tag, byte length] + bytes padded to 4: tag 'HTNS' = head-tuning state (`HeadTuning.toBytes()`).
 */
import type { BoundGaussianData } from '../binding/bound-gaussians';
import type { ShDegree } from '../../splat/scene';

export const CHECKPOINT_MAGIC = 0x31435641;
export const CHECKPOINT_VERSION = 2;
const MOMENT_PARAMS = ['means', 'logScales', 'rotations', 'opacities', 'sh'] as const;
type MomentParam = (typeof MOMENT_PARAMS)[number];
const HEADER_U32 = 8;
const HEADER_U32_V1 = 6;

export interface CheckpointData {
  step: number;
  bound: BoundGaussianData;
  moments: Partial<Record<MomentParam, { m: Float32Array; v: Float32Array }>>;
  stats: Float32Array; // N×4
  /** Learning-rate multiplier left by NaN rollbacks (1 when absent). */
  lrScale?: number;
  rollbacks?: number;
  /** Head-tuning state (trailing section 'HTNS'), when the trainer tunes head parameters. */
  headTuning?: Uint8Array;
}

const SECTION_HEAD_TUNING = 0x534e5448; // 'HTNS'

function momentFloats(p: MomentParam, K: number): number {
  return p === 'means' || p === 'logScales' ? 3 : p === 'rotations' ? 4 : p === 'opacities' ? 1 : K * 3;
}

export function writeCheckpoint(c: CheckpointData): ArrayBuffer {
  const b = c.bound;
  const N = b.count;
  const K = (b.shDegree + 1) ** 2;
  const parts: ArrayLike<number>[] = [
    b.barycentric.subarray(0, N * 2), b.offset.subarray(0, N), b.rotations.subarray(0, N * 4), b.logScales.subarray(0, N * 3),
    b.opacities.subarray(0, N), b.sh.subarray(0, N * K * 3),
  ];
  for (const p of MOMENT_PARAMS) {
    const mv = c.moments[p];
    const len = N * momentFloats(p, K);
    if (!mv || mv.m.length < len || mv.v.length < len) throw new RangeError(`checkpoint: Adam moments for ${p} missing or short`);
    parts.push(mv.m.subarray(0, len), mv.v.subarray(0, len));
  }
  if (c.stats.length < N * 4) throw new RangeError('checkpoint: densification stats short');
  parts.push(c.stats.subarray(0, N * 4));
  const floats = parts.reduce((s, a) => s + a.length, 0);
  const ht = c.headTuning;
  const htBytes = ht ? 8 + Math.ceil(ht.byteLength / 4) * 4 : 0;
  const buf = new ArrayBuffer((HEADER_U32 + N + floats) * 4 + htBytes);
  if (ht) {
    const o = (HEADER_U32 + N + floats) * 4;
    new Uint32Array(buf, o, 2).set([SECTION_HEAD_TUNING, ht.byteLength]);
    new Uint8Array(buf, o + 8, ht.byteLength).set(ht);
  }
  new Uint32Array(buf, 0, HEADER_U32).set([CHECKPOINT_MAGIC, CHECKPOINT_VERSION, c.step, N, b.shDegree, K, 0, c.rollbacks ?? 0]);
  new Float32Array(buf, 24, 1)[0] = c.lrScale ?? 1;
  new Uint32Array(buf, HEADER_U32 * 4, N).set(b.triangle.subarray(0, N));
  const f = new Float32Array(buf, (HEADER_U32 + N) * 4, floats);
  let o = 0;
  for (const a of parts) {
    f.set(a, o);
    o += a.length;
  }
  return buf;
}

export function readCheckpoint(buf: ArrayBuffer): CheckpointData {
  if (buf.byteLength < HEADER_U32_V1 * 4) throw new RangeError('checkpoint: too short');
  const [magic, version, step, N, shDegree, K] = new Uint32Array(buf, 0, HEADER_U32_V1);
  if (magic !== CHECKPOINT_MAGIC) throw new RangeError('checkpoint: bad magic');
  if (version !== CHECKPOINT_VERSION && version !== 1) throw new RangeError(`checkpoint: unsupported version ${version}`);
  const HEADER = version === 1 ? HEADER_U32_V1 : HEADER_U32;
  const lrScale = version === 1 ? 1 : new Float32Array(buf, 24, 1)[0];
  const rollbacks = version === 1 ? 0 : new Uint32Array(buf, 28, 1)[0];
  if (!(shDegree <= 3) || K !== (shDegree + 1) ** 2) throw new RangeError('checkpoint: bad SH degree');
  let floats = N * (2 + 1 + 4 + 3 + 1 + K * 3) + N * 4;
  for (const p of MOMENT_PARAMS) floats += 2 * N * momentFloats(p, K);
  const mainBytes = (HEADER + N + floats) * 4;
  if (buf.byteLength < mainBytes) throw new RangeError(`checkpoint: size ${buf.byteLength} does not match ${N} Gaussians`);
  let headTuning: Uint8Array | undefined;
  for (let o = mainBytes; o < buf.byteLength; ) {
    if (buf.byteLength - o < 8) throw new RangeError(`checkpoint: size ${buf.byteLength} does not match ${N} Gaussians`);
    const [tag, len] = new Uint32Array(buf, o, 2);
    if (tag !== SECTION_HEAD_TUNING || o + 8 + len > buf.byteLength) throw new RangeError('checkpoint: bad trailing section');
    headTuning = new Uint8Array(buf.slice(o + 8, o + 8 + len));
    o += 8 + Math.ceil(len / 4) * 4;
  }
  const triangle = new Uint32Array(buf.slice(HEADER * 4, (HEADER + N) * 4));
  const f = new Float32Array(buf, (HEADER + N) * 4, floats);
  let o = 0;
  const take = (len: number) => {
    const a = f.slice(o, o + len);
    o += len;
    return a;
  };
  const bound: BoundGaussianData = {
    count: N,
    shDegree: shDegree as ShDegree,
    triangle,
    barycentric: take(N * 2),
    offset: take(N),
    rotations: take(N * 4),
    logScales: take(N * 3),
    opacities: take(N),
    sh: take(N * K * 3),
  };
  const moments: CheckpointData['moments'] = {};
  for (const p of MOMENT_PARAMS) {
    const len = N * momentFloats(p, K);
    moments[p] = { m: take(len), v: take(len) };
  }
  return { step, bound, moments, stats: take(N * 4), lrScale, rollbacks, ...(headTuning ? { headTuning } : {}) };
}
