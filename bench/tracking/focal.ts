/**
 * The focal-length search on real footage: re-fits the landmarks a kept library's tracking stored (`bench:train --keep
 * DIR`: each capture's landmarks.f32 and expression space) with the tracking job's options, once as the job does and
 * once per variant, and prints one JSON object: per capture and variant the focal length found (× the frame's long
 * side), the search's cost curve, the landmark fit residual (mean / median px: the acceptance figure) and seconds.
 *
 * Usage: node --import tsx bench/tracking/focal.ts LIBRARY_DIR [--grid=0.6,0.9,…] [--prior=factor,logSigma,weight]…
 * Each --grid / --prior adds a variant (a prior variant searches the default grid unless --grid came before it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FOCAL_GRID, fitCaptureSync, type FitOptions } from '../../native/engine/avatar/fitting/fit';
import { openHeadFor, type StoredExpressionSpace } from '../../native/engine/avatar/open-head/stored-space';
import { ALL_POINTS } from '../../native/tracking/frame-tracker';
import { CAPTURE_FIT_OPTIONS } from '../../src/main/services/tracking/capture-fit-options';

const args = process.argv.slice(2);
const libraryDir = args.find((a) => !a.startsWith('--'));
if (!libraryDir) throw new Error('usage: node --import tsx bench/tracking/focal.ts LIBRARY_DIR [--grid=…] [--prior=factor,logSigma,weight]…');
const variants: { name: string; options: Partial<FitOptions> }[] = [{ name: 'as tracked', options: {} }];
let grid: number[] | undefined;
for (const a of args.filter((x) => x.startsWith('--'))) {
  const [k, v] = a.slice(2).split('=') as [string, string];
  const nums = v.split(',').map(Number);
  if (k === 'grid') {
    grid = nums;
    variants.push({ name: `grid ${v}`, options: { focalSearch: { grid } } });
  } else if (k === 'prior') variants.push({ name: `prior ${v}${grid ? ` grid ${grid.join(',')}` : ''}`, options: { focalPrior: { factor: nums[0]!, logSigma: nums[1]!, weight: nums[2] }, focalSearch: grid ? { grid } : undefined } });
  else throw new Error(`unknown option ${a}`);
}

const subdirs = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).map((n) => path.join(d, n)) : []);
const captures = subdirs(path.join(path.resolve(libraryDir), 'projects'))
  .flatMap((p) => subdirs(path.join(p, 'captures')))
  .map((c) => path.join(c, 'tracking'))
  .filter((d) => fs.existsSync(path.join(d, 'expression-space.json')));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const out = [];
for (const dir of captures) {
  const model = openHeadFor(JSON.parse(fs.readFileSync(path.join(dir, 'expression-space.json'), 'utf8')) as StoredExpressionSpace);
  for (const cam of fs.readdirSync(dir).filter((c) => fs.existsSync(path.join(dir, c, 'fit.json')))) {
    const fit = JSON.parse(fs.readFileSync(path.join(dir, cam, 'fit.json'), 'utf8')) as { intrinsics: { cx: number; cy: number } };
    const width = Math.round(fit.intrinsics.cx * 2), height = Math.round(fit.intrinsics.cy * 2); // estimated intrinsics: the centre
    const all = new Float32Array(fs.readFileSync(path.join(dir, cam, 'landmarks.f32')).buffer.slice(0));
    const frames = [];
    for (let i = 0; i < all.length / (ALL_POINTS * 3); i++) {
      const l = all.subarray(i * ALL_POINTS * 3, (i + 1) * ALL_POINTS * 3);
      if (Number.isFinite(l[0])) frames.push({ landmarks: l, width, height });
    }
    for (const v of variants) {
      const t = performance.now();
      const r = fitCaptureSync(model, frames, { ...CAPTURE_FIT_OPTIONS, ...v.options });
      const errors = r.frames.map((f) => f.reprojectionErrorPx).filter(Number.isFinite);
      out.push({
        capture: path.basename(path.dirname(dir)),
        size: `${width}x${height}`,
        variant: v.name,
        focalFactor: Number((r.intrinsics.fx / Math.max(width, height)).toFixed(3)),
        fitErrorPx: { mean: Number((errors.reduce((a, b) => a + b, 0) / errors.length).toFixed(3)), median: Number(median(errors).toFixed(3)) },
        curve: r.focalCosts?.map((c) => [Number(c.factor.toFixed(2)), Number(c.cost.toFixed(1))]),
        seconds: Number(((performance.now() - t) / 1000).toFixed(1)),
      });
      process.stderr.write(`${JSON.stringify(out.at(-1))}\n`);
    }
  }
}
console.log(JSON.stringify({ bench: 'tracking-focal', defaultGrid: FOCAL_GRID, results: out }));
