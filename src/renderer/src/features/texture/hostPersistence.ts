/**
 * Test support: the editor's `TexturePersistence` over a services host in the same process (textures.* through
 * `dispatch`, the project's files read from its folder as the file route serves them) — what
 * `studioPersistence.ts` does over the StudioApi, for tests that drive the real document store against a real host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bytesToBase64, decodePng, encodePng, type TextureDocumentInfo, type TexturesImportResult } from '@shared/texture';
import type { TexturePersistence } from './persistence';

export interface HostCalls {
  call(method: string, params: unknown): Promise<unknown>;
  /** The project folder of the avatar's project. */
  projectDir(): string;
}

export function hostTexturePersistence(host: HostCalls): TexturePersistence {
  const read = (rel: string) => decodePng(fs.readFileSync(path.join(host.projectDir(), ...rel.split('/'))));
  return {
    async load(avatarId) {
      const info = (await host.call('textures.load', { avatarId })) as TextureDocumentInfo;
      const vis = info.base ? read(info.base.visibility) : null;
      const M = info.mapSize;
      return {
        projectId: info.projectId,
        avatarId,
        mapSize: M,
        base: info.base ? read(info.base.colour) : null,
        visibility: vis ? Uint8Array.from({ length: M * M }, (_, i) => vis.data[i * 4]) : null,
        layers: info.layers.map((l) => ({ layer: l.layer, image: l.image ? read(l.image) : null })),
        revision: info.revision,
        locked: info.locked,
      };
    },
    async save(avatarId, layers, changed, baseRevision) {
      const images = Object.fromEntries(Object.entries(changed).map(([id, img]) => [id, { png: bytesToBase64(encodePng(img)) }]));
      return ((await host.call('textures.save', { avatarId, layers, images, baseRevision })) as { revision: number }).revision;
    },
    async importFile(avatarId, file, kind) {
      const r = (await host.call(kind === 'sticker' ? 'textures.importSticker' : 'textures.importMap', { avatarId, path: (file as { path: string }).path })) as TexturesImportResult;
      return { layer: r.layer, image: read(r.layer.image!), note: r.note };
    },
    async exportMap() {
      throw new Error('exportMap is not offered by the test persistence');
    },
  };
}
