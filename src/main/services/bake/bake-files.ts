import fs from 'node:fs';
import path from 'node:path';
import { colourImage, composeMaps, opacityImage, visibilityImage, writeBakedMaps, type BakeResult } from '@engine/avatar/bake';
import { writeFileAtomic } from '../fs/atomic-write';
import { encodePng } from '../training/report-images';
import { serializeBound } from '@engine/avatar/binding/avatar-file';
import { BAKE_FILES } from './bake-paths';

/** PNG bytes of an RGBA8 image (pngjs). */
function png(rgba: Uint8ClampedArray, size: number): Uint8Array {
  return encodePng(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), size, size);
}

/**
 * Writes a bake's files into `dir` (each atomically): maps.bin (composed maps + visibility), baked-avatar.bin, the
 * colour / opacity / visibility PNGs and report.json. Returns the names written. The caller swaps `dir` in.
 */
export function writeBakeFiles(dir: string, result: Pick<BakeResult, 'maps' | 'visibility' | 'baked'>, info: { levels: number; steps: number }, report: unknown): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const M = result.maps.size;
  const composed = composeMaps(result.maps);
  writeFileAtomic(path.join(dir, BAKE_FILES.maps), writeBakedMaps({ mapSize: M, levels: info.levels, steps: info.steps, maps: composed, visibility: result.visibility }));
  writeFileAtomic(path.join(dir, BAKE_FILES.bakedAvatar), serializeBound(result.baked));
  writeFileAtomic(path.join(dir, BAKE_FILES.colour), png(colourImage(composed, M), M));
  writeFileAtomic(path.join(dir, BAKE_FILES.opacity), png(opacityImage(composed, M), M));
  writeFileAtomic(path.join(dir, BAKE_FILES.visibility), png(visibilityImage(result.visibility), M));
  writeFileAtomic(path.join(dir, BAKE_FILES.report), JSON.stringify(report, null, 1));
  return Object.values(BAKE_FILES);
}
