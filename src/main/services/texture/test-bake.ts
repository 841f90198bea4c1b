/**
 * Test fixture: an avatar row and the bake files the texture editor reads (`bake/colour.png` as a gradient,
 * flat opacity, visibility with an unobserved band, and a placeholder `maps.bin`), without training or baking.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRaster, encodePng } from '@shared/texture';
import type { StudioHost } from '../../host/studio-host';
import { bakeFilePaths } from '../bake/bake-paths';
import { newId } from '../library/ids';

export function addBakedAvatar(host: StudioHost, projectId: string, mapSize: number, bake = true): { avatarId: string; colourPng: Buffer } {
  const avatarId = newId();
  host.services.library.db
    .prepare('INSERT INTO avatars (id, project_id, name, version, head_model, checkpoint_blob_id, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(avatarId, projectId, 'Textured', 1, 'open-head', null, '{}', Date.now());
  if (!bake) return { avatarId, colourPng: Buffer.alloc(0) };
  const M = mapSize;
  const root = host.services.projects.folderOf(projectId);
  const abs = (rel: string) => path.join(root, ...rel.split('/'));
  const paths = bakeFilePaths(avatarId);
  const colour = createRaster(M, M);
  for (let y = 0; y < M; y++) for (let x = 0; x < M; x++) colour.data.set([Math.round((x * 255) / (M - 1)), Math.round((y * 255) / (M - 1)), 100, 255], (y * M + x) * 4);
  const grey = (f: (y: number) => number) => {
    const g = createRaster(M, M);
    for (let i = 0; i < M * M; i++) g.data.set([f(Math.floor(i / M)), f(Math.floor(i / M)), f(Math.floor(i / M)), 255], i * 4);
    return encodePng(g);
  };
  fs.mkdirSync(path.dirname(abs(paths.colour)), { recursive: true });
  const colourPng = Buffer.from(encodePng(colour));
  fs.writeFileSync(abs(paths.colour), colourPng);
  fs.writeFileSync(abs(paths.opacity), grey(() => 230));
  fs.writeFileSync(abs(paths.visibility), grey((y) => (y > M * 0.8 ? 128 : 255)));
  fs.writeFileSync(abs(paths.maps), Buffer.alloc(16));
  return { avatarId, colourPng };
}
