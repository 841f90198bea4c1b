import { describe, expect, it } from 'vitest';
import { JAW_OPEN_MAX } from '../viewport/headRig';
import { RollingRate, RollingStat } from './metrics';
import { DEFAULT_SETTINGS, DriveSmoother, JAW_GAIN, MAX_ROTATION, measure, neutralFrom, retarget, worldRotation, type DriverMeasure } from './retarget';

/** 478 landmarks with the eye corners 100 px apart and the inner lips `gap` px apart. */
function landmarks(gap: number): Float32Array {
  const p = new Float32Array(478 * 3);
  p.set([100, 100, 0], 33 * 3);
  p.set([200, 100, 0], 263 * 3);
  p.set([150, 180, 0], 13 * 3);
  p.set([150, 180 + gap, 0], 14 * 3);
  return p;
}
const still = { yaw: 0, pitch: 0, roll: 0 };

describe('retargeting', () => {
  it('measures the lip gap in inter-ocular units', () => {
    const m = measure(landmarks(20), still);
    expect(m.iod).toBeCloseTo(100);
    expect(m.mouthGap).toBeCloseTo(0.2);
    expect(() => measure(new Float32Array(30), still)).toThrow(/478 landmarks/);
  });

  it('takes the neutral as the median of the calibration frames (a blink or glitch does not move it)', () => {
    const ms: DriverMeasure[] = [0.02, 0.03, 0.5, 0.025, 0.02].map((g) => ({ mouthGap: g, iod: 100, ...still }));
    const n = neutralFrom(ms, true);
    expect(n.mouthGap).toBeCloseTo(0.025);
    expect(n.calibrated).toBe(true);
    expect(() => neutralFrom([], true)).toThrow();
  });

  it('drives the jaw relative to the neutral, scaled by the intensity and clamped', () => {
    const neutral = neutralFrom([measure(landmarks(5), still)], true);
    expect(retarget(measure(landmarks(5), still), neutral, DEFAULT_SETTINGS).jaw).toBe(0);
    // Closing past the neutral does not open the jaw backwards.
    expect(retarget(measure(landmarks(0), still), neutral, DEFAULT_SETTINGS).jaw).toBe(0);
    const open = retarget(measure(landmarks(25), still), neutral, DEFAULT_SETTINGS);
    expect(open.jaw).toBeCloseTo(JAW_GAIN * 0.2);
    expect(retarget(measure(landmarks(25), still), neutral, { ...DEFAULT_SETTINGS, intensity: 2 }).jaw).toBeCloseTo(2 * JAW_GAIN * 0.2);
    expect(retarget(measure(landmarks(200), still), neutral, { ...DEFAULT_SETTINGS, intensity: 2 }).jaw).toBe(JAW_OPEN_MAX);
  });

  it('follows the head rotation relative to the neutral, mirrored on request, clamped, or not at all', () => {
    const neutral = neutralFrom([measure(landmarks(5), { yaw: 0.1, pitch: 0, roll: 0 })], true);
    const turned = measure(landmarks(5), { yaw: 0.4, pitch: 0, roll: 0 });
    const plain = retarget(turned, neutral, { ...DEFAULT_SETTINGS, mirror: false });
    expect(plain.delta.yaw).toBeCloseTo(0.3);
    expect(retarget(turned, neutral, { ...DEFAULT_SETTINGS, mirror: true }).delta.yaw).toBeCloseTo(-0.3);
    expect(retarget(measure(landmarks(5), { yaw: 3, pitch: 0, roll: 0 }), neutral, DEFAULT_SETTINGS).delta.yaw).toBeCloseTo(-MAX_ROTATION);
    expect(retarget(turned, neutral, { ...DEFAULT_SETTINGS, followPose: false }).rotation).toBeNull();
    // A proper rotation, identity at rest.
    const R = plain.rotation!;
    const det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
    expect(det).toBeCloseTo(1);
    worldRotation(0, 0, 0).forEach((v, k) => expect(v).toBeCloseTo(k % 4 === 0 ? 1 : 0));
  });

  it('a head turning to the image right (its left cheek going away) turns the world head about +y the same way', () => {
    // In the image frame the tracker's yaw > 0 means the subject's left cheek (image right) moved away (+z_cv).
    // In the world (+z towards the viewer) that cheek, at +x, must move to −z: rotation about y by a negative angle.
    const R = worldRotation(0.3, 0, 0);
    const x = [1, 0, 0];
    const z = R[6] * x[0] + R[7] * x[1] + R[8] * x[2];
    expect(z).toBeLessThan(0);
  });

  it('smooths with a One Euro filter when asked, and passes through at 0', () => {
    const s = new DriveSmoother();
    const m = (g: number): DriverMeasure => ({ mouthGap: g, iod: 100, ...still });
    expect(s.apply(m(0.5), 0, 0).mouthGap).toBe(0.5);
    s.apply(m(0), 0, 0.8);
    const step = s.apply(m(1), 1 / 30, 0.8).mouthGap;
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(0.5);
  });
});

describe('live metrics', () => {
  it('counts a rate over the window and keeps median / percentiles', () => {
    const r = new RollingRate(1000);
    expect(r.rate(0)).toBeNull();
    for (let t = 0; t <= 1000; t += 100) r.tick(t);
    expect(r.rate(1000)).toBeCloseTo(10);
    expect(r.rate(5000)).toBeNull();
    const s = new RollingStat(5);
    for (const v of [5, 1, 4, 2, 3, 100]) s.add(v);
    expect(s.last).toBe(100);
    expect(s.median).toBe(3);
    expect(s.percentile(95)).toBe(100);
  });
});
