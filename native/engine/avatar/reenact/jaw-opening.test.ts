import { describe, expect, it } from 'vitest';
import { gaussian, makeRandom } from '../math';
import type { HeadModel } from '../head-model';
import { canonicalFace, createOpenHead, LIPS_INNER_LOWER, LIPS_INNER_UPPER } from '../open-head/build';
import { innerLipGap, learnExpressionSpace } from '../open-head/expression-space';
import { proceduralExpressionBasis } from '../open-head/procedural-expressions';
import { openHeadFor } from '../open-head/stored-space';
import { avatarRest } from './avatar-rest';
import { calibrateDriver } from './calibration';
import { LIVE_DRIVING, Reenactor } from './reenactor';
import { retarget, type AvatarExpressionSpace } from './retarget';
import { syntheticDriverLandmarks } from './synthetic-driver';

/**
 * Issue 21 item 3: a driver who opens the mouth wide must open the avatar's mouth as wide. The avatar's expression
 * space is learnt (as the capture.track job learns it) from synthetic footage of a subject whose jaw opens and closes
 * (0…JAW_MAX rad, cosine cycles: the mouth is open half the time on average, as in e2e/live-driver.ts's training clip)
 * with small other expressions and head motion. A driver calibrates on a closed mouth, then opens the jaw to a known
 * angle within that range, and is driven through `Reenactor` with the Live page's settings (mirrored, smoothed).
 *
 * Opening = the summed gaps between the inner lips (`innerLipGap`) relative to face height (forehead 10 → chin 152):
 * the driver's from its landmarks, the avatar's from its posed head; each relative to its own mouth at the driver's
 * neutral (the avatar's rest). Before the fix the avatar's rest was the footage's mean face (coefficient 0): half
 * open, so the driver's closed mouth left the avatar's half open, and the opening, added on top, ran into the clamp
 * at the footage's widest — the lips parted by about two thirds of the driver's.
 */

const face = canonicalFace();
const gen = proceduralExpressionBasis(face);
const JAW_MAX = 0.3;
const DRIVER_JAW = 0.27;

/** Face height of a 468 × 3 face (any axes, any unit). */
const faceHeight = (p: ArrayLike<number>) => Math.hypot(p[10 * 3]! - p[152 * 3]!, p[10 * 3 + 1]! - p[152 * 3 + 1]!, p[10 * 3 + 2]! - p[152 * 3 + 2]!);
/** Inner-lip opening of detector-frame landmarks (y down, pixels) relative to face height. */
const landmarkOpening = (lm: ArrayLike<number>) => {
  let g = 0;
  for (let k = 0; k < LIPS_INNER_UPPER.length; k++) g += lm[LIPS_INNER_LOWER[k]! * 3 + 1]! - lm[LIPS_INNER_UPPER[k]! * 3 + 1]!;
  return g / faceHeight(lm);
};
/** Inner-lip opening of a posed head (model axes, y up) relative to face height. */
const headOpening = (v: ArrayLike<number>) => innerLipGap(v) / faceHeight(v);

function footage(subject: HeadModel, seed: number) {
  const rand = makeRandom(seed);
  return Array.from({ length: 120 }, (_, i) => ({
    landmarks: syntheticDriverLandmarks(subject, {
      jaw: [JAW_MAX * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 30)), 0, 0],
      expression: Array.from({ length: gen.count }, () => 0.3 * gaussian(rand)),
      rotation: [0.1 * gaussian(rand), 0.15 * gaussian(rand), 0.03 * gaussian(rand)],
    }),
  }));
}

/** The driver calibrates on a closed mouth (15 frames), then holds the jaw at `DRIVER_JAW` for 1.5 s (10 fps). */
function drive(space: AvatarExpressionSpace, driver: HeadModel, avatar: HeadModel, options: { avatarNeutral?: ArrayLike<number> } = {}) {
  const rand = makeRandom(17);
  const r = new Reenactor(space, { ...LIVE_DRIVING, calibrationFrames: LIVE_DRIVING.calibrationFrames, autoCalibrate: true, ...options });
  const still = () => ({ rotation: [0.01 * gaussian(rand), 0.01 * gaussian(rand), 0] as [number, number, number], pixelsPerMetre: 1800 });
  let t = 0;
  let step = r.step({ landmarks: syntheticDriverLandmarks(driver, still()) }, t);
  for (let i = 1; i < LIVE_DRIVING.calibrationFrames + 10; i++) step = r.step({ landmarks: syntheticDriverLandmarks(driver, still()) }, (t += 0.1));
  expect(step.phase).toBe('driving');
  const pose = (p: typeof step.params) => avatar.evaluate({ expression: Array.from(p.expression), jointRotations: [0, 0, 0, 0, 0, 0, ...p.jaw, ...p.eyes] });
  const avatarAtRest = pose(step.params);
  const closed = syntheticDriverLandmarks(driver, { pixelsPerMetre: 1800 });
  const open = syntheticDriverLandmarks(driver, { jaw: [DRIVER_JAW, 0, 0], pixelsPerMetre: 1800 });
  for (let i = 0; i < 15; i++) step = r.step({ landmarks: syntheticDriverLandmarks(driver, { ...still(), jaw: [DRIVER_JAW, 0, 0] }) }, (t += 0.1));
  const avatarOpen = pose(step.params);
  return {
    driver: landmarkOpening(open) - landmarkOpening(closed),
    avatar: headOpening(avatarOpen) - headOpening(avatarAtRest),
    avatarRestOpening: headOpening(avatarAtRest),
    clamped: step.params.clamped,
  };
}

describe('reenactment: a wide-open driver mouth opens the avatar mouth', () => {
  const subject = createOpenHead({ face, expression: gen });
  const space = learnExpressionSpace(footage(subject, 5));
  const avatar = openHeadFor(space);
  /** The subject's own closed mouth (jaw 0, no expression), the avatar's target at rest. */
  const subjectClosed = headOpening(subject.evaluate({}));

  it('records the footage’s closed-mouth rest in the learnt space', () => {
    expect(space.rest).toBeDefined();
    expect(space.rest!.length).toBe(space.count);
    // posed at its rest, the avatar's mouth is the subject's closed one (the mean face is half open)
    expect(Math.abs(headOpening(avatar.evaluate({ expression: Array.from(space.rest!) })) - subjectClosed)).toBeLessThan(0.1 * (headOpening(avatar.evaluate({})) - subjectClosed));
  });

  it('self-driven: the avatar opens at least 80 % as wide as the driver, and closes when the driver does', () => {
    const m = drive(space, subject, avatar);
    console.log(`[jaw] self: driver opening ${m.driver.toFixed(4)}, avatar ${m.avatar.toFixed(4)} (${((100 * m.avatar) / m.driver).toFixed(0)} %), avatar at rest ${m.avatarRestOpening.toFixed(4)} (closed ${subjectClosed.toFixed(4)}), ${m.clamped} clamped`);
    expect(m.driver).toBeGreaterThan(0.1);
    expect(m.avatar).toBeGreaterThanOrEqual(0.8 * m.driver);
    expect(m.avatar).toBeLessThanOrEqual(1.25 * m.driver);
    expect(Math.abs(m.avatarRestOpening - subjectClosed)).toBeLessThan(0.1 * m.driver);
  });

  it('another, differently shaped driver: the same', () => {
    const L = [1.1, 0.94, 1.05];
    const driverFace = Float32Array.from(face, (v, i) => v * L[i % 3]!);
    const driver = createOpenHead({ face: driverFace, expression: { basis: Float32Array.from(gen.basis, (v, i) => v * L[i % 3]!), count: gen.count, range: gen.range } });
    const m = drive(space, driver, avatar);
    console.log(`[jaw] other driver: driver opening ${m.driver.toFixed(4)}, avatar ${m.avatar.toFixed(4)} (${((100 * m.avatar) / m.driver).toFixed(0)} %)`);
    expect(m.avatar).toBeGreaterThanOrEqual(0.8 * m.driver);
    expect(m.avatar).toBeLessThanOrEqual(1.25 * m.driver);
  });

  it('the cause: with the footage’s mean face as the rest (the old default) the lips part far less', () => {
    const m = drive(space, subject, avatar, { avatarNeutral: new Float32Array(space.count) });
    console.log(`[jaw] mean face as rest: avatar ${((100 * m.avatar) / m.driver).toFixed(0)} % of the driver, at rest ${m.avatarRestOpening.toFixed(4)} (closed ${subjectClosed.toFixed(4)})`);
    expect(m.avatar).toBeLessThan(0.8 * m.driver);
    expect(m.avatarRestOpening - subjectClosed).toBeGreaterThan(0.3 * m.driver);
  });

  it('a space learnt before the rest was recorded: estimated from the fitted frames', () => {
    const { rest: recorded, ...old } = space;
    // fit.json-like frames: each footage frame's face in the space's coefficients (its projection relative to the
    // footage's mean face, which is what coefficient 0 is), no jaw
    const shots = footage(subject, 5);
    const meanCal = calibrateDriver(shots);
    const frames = shots.map((f) => ({ expression: retarget(f, meanCal, old, { clamp: false, transfer: 'none', followPose: false, avatarNeutral: new Float32Array(old.count) }).expression, jaw: [0, 0, 0] }));
    const rest = avatarRest(old, { model: avatar, frames });
    expect(rest).not.toBeNull();
    const mean = headOpening(avatar.evaluate({}));
    const closedRecorded = headOpening(avatar.evaluate({ expression: Array.from(recorded!) }));
    expect(Math.abs(headOpening(avatar.evaluate({ expression: Array.from(rest!) })) - closedRecorded)).toBeLessThan(0.15 * (mean - closedRecorded));
    expect(avatarRest(old)).toBeNull();
    expect(avatarRest(space)).toBe(space.rest);
  });
});
