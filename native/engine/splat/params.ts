import { cameraCentre, type Camera } from './camera';
import { TILE_SIZE } from './kernels/common';

/** Byte size of the WGSL `RenderParams` struct (kernels/common.ts); offsets below change in lock-step with it. */
export const RENDER_PARAMS_SIZE = 176;

export interface RenderParamsInput {
  camera: Camera;
  near: number;
  numGaussians: number;
  shDegree: number;
  shCoeffs: number;
  featureDim: number;
  background: readonly [number, number, number];
  backgroundImage: boolean;
  intersectionCapacity: number;
}

export function tileGrid(width: number, height: number) {
  const tilesX = Math.ceil(width / TILE_SIZE);
  const tilesY = Math.ceil(height / TILE_SIZE);
  return { tilesX, tilesY, numTiles: tilesX * tilesY };
}

export function packRenderParams(p: RenderParamsInput): ArrayBuffer {
  const buf = new ArrayBuffer(RENDER_PARAMS_SIZE);
  const f = new Float32Array(buf);
  const u = new Uint32Array(buf);
  const cam = p.camera;
  for (let i = 0; i < 16; i++) f[i] = cam.viewMatrix[i];
  const c = cameraCentre(cam.viewMatrix);
  f.set(c, 16); // cam_pos @64
  f.set(p.background, 20); // background @80
  f[24] = cam.fx; // focal @96
  f[25] = cam.fy;
  f[26] = cam.cx; // principal @104
  f[27] = cam.cy;
  f[28] = (1.3 * (0.5 * cam.width)) / cam.fx; // tan_lim @112
  f[29] = (1.3 * (0.5 * cam.height)) / cam.fy;
  f[30] = p.near; // @120
  u[31] = p.numGaussians; // @124
  const { tilesX, tilesY } = tileGrid(cam.width, cam.height);
  u[32] = cam.width;
  u[33] = cam.height;
  u[34] = tilesX;
  u[35] = tilesY;
  u[36] = p.shDegree;
  u[37] = p.shCoeffs;
  u[38] = p.featureDim;
  u[39] = p.backgroundImage ? 1 : 0;
  u[40] = p.intersectionCapacity;
  return buf;
}
