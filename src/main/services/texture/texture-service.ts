import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { StudioError } from '@shared/api/errors';
import {
  compositeTexture,
  decodePng,
  encodePng,
  newLayerId,
  readPngHeader,
  resizeRaster,
  type LayerImagePayload,
  type RasterImage,
  type StoredTextureLayer,
  type TextureDocumentInfo,
  type TextureLayer,
  type TextureLayerMeta,
  type TextureMapKind,
  type TexturesImportResult,
} from '@shared/texture';
import { writeFileAtomic, toStudioFsError } from '../fs/atomic-write';
import { bakeFilePaths } from '../bake/bake-paths';
import type { StudioServices } from '../studio-services';
import { decodeImageFile } from './image-decode';
import { assertTextureEditable, textureLockReason } from './texture-lock';
import { TextureLayersRepo } from './texture-layers-repo';
import { readOutsideFile } from '../fs/contained-path';

/** Stickers and imported maps: a 16384² PNG of noise is about 1 GiB, but real ones are a few MB; 256 MiB is generous. */
const MAX_IMAGE_FILE_BYTES = 256 * 1024 ** 2;
import { layerImagePath, textureDir, textureStatePath } from './texture-paths';

type Services = Pick<StudioServices, 'avatars' | 'projects' | 'jobs' | 'blobs' | 'library'>;

/** Resolves a web upload id to its file (web/upload.ts); injected so this module does not depend on web mode. */
export type UploadResolver = (uploadId: string) => string | null;

const ORPHAN_AGE_MS = 24 * 3600 * 1000;

/**
 * The texture editor's persistence (issue 7): layer rows in `texture_layers`, one PNG per layer in
 * `avatars/<id>/texture/`, a revision counter in `texture/document.json`. The bake's maps (`bake/colour.png` …)
 * are only read, never written. Every write goes through writeFileAtomic; edits are refused while the avatar trains
 * or is being baked.
 */
export class TextureService {
  private readonly repo: TextureLayersRepo;

  constructor(private readonly s: Services, private readonly resolveUpload: UploadResolver) {
    this.repo = new TextureLayersRepo(s.library);
  }

  private root(projectId: string): string {
    return this.s.projects.folderOf(projectId);
  }

  private abs(projectId: string, rel: string): string {
    return path.join(this.root(projectId), ...rel.split('/'));
  }

  /** The avatar, its bake's paths (null without one) and the map size (from colour.png's header). */
  private avatarAndBake(avatarId: string) {
    const avatar = this.s.avatars.get(avatarId);
    const bake = bakeFilePaths(avatarId);
    const colourFile = this.abs(avatar.projectId, bake.colour);
    if (!fs.existsSync(colourFile)) return { avatar, bake: null, mapSize: 0 };
    let header;
    try {
      const fd = fs.openSync(colourFile, 'r');
      const head = Buffer.alloc(33);
      fs.readSync(fd, head, 0, 33, 0);
      fs.closeSync(fd);
      header = readPngHeader(head);
    } catch (err) {
      throw new StudioError('CONFLICT', `The bake's colour map ${bake.colour} cannot be read (${(err as Error).message}); bake the avatar again.`);
    }
    return { avatar, bake, mapSize: header.width };
  }

  private requireBake(avatarId: string) {
    const r = this.avatarAndBake(avatarId);
    if (!r.bake) throw new StudioError('CONFLICT', 'This avatar has no bake yet, so it has no texture to edit. Bake it first (Bake in the avatars table, or `avatar-studio bake AVATAR`).');
    return { ...r, bake: r.bake };
  }

  private readRevision(projectId: string, avatarId: string): number {
    try {
      const state = JSON.parse(fs.readFileSync(this.abs(projectId, textureStatePath(avatarId)), 'utf8')) as { revision?: number };
      return Number.isInteger(state.revision) ? state.revision! : 0;
    } catch {
      return 0;
    }
  }

  private stored(projectId: string, avatarId: string, layer: TextureLayerMeta): StoredTextureLayer {
    if (layer.kind === 'fill') return { layer, image: null, width: 0, height: 0 };
    const rel = layerImagePath(avatarId, layer.id);
    let width = 0;
    let height = 0;
    try {
      const fd = fs.openSync(this.abs(projectId, rel), 'r');
      const head = Buffer.alloc(33);
      fs.readSync(fd, head, 0, 33, 0);
      fs.closeSync(fd);
      ({ width, height } = readPngHeader(head));
    } catch {
      return { layer, image: null, width: 0, height: 0 };
    }
    return { layer, image: rel, width, height };
  }

  load(avatarId: string): TextureDocumentInfo {
    const { avatar, bake, mapSize } = this.avatarAndBake(avatarId);
    const layers = this.repo.list(avatarId).map((l) => this.stored(avatar.projectId, avatarId, l));
    if (!this.s.library.info().readOnly) this.pruneOrphans(avatar.projectId, avatarId, layers);
    return {
      avatarId,
      projectId: avatar.projectId,
      mapSize,
      base: bake ? { colour: bake.colour, opacity: bake.opacity, visibility: bake.visibility } : null,
      layers,
      revision: this.readRevision(avatar.projectId, avatarId),
      locked: textureLockReason(this.s, avatarId),
    };
  }

  /** Removes layer PNGs no row refers to (imports that were never saved, or undone) once they are a day old. */
  private pruneOrphans(projectId: string, avatarId: string, layers: StoredTextureLayer[]): void {
    const dir = this.abs(projectId, textureDir(avatarId));
    if (!fs.existsSync(dir)) return;
    const keep = new Set(layers.map((l) => `${l.layer.id}.png`));
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.png') || keep.has(f)) continue;
      const p = path.join(dir, f);
      try {
        if (Date.now() - fs.statSync(p).mtimeMs > ORPHAN_AGE_MS) fs.rmSync(p, { force: true });
      } catch {
        // gone already
      }
    }
  }

  private payloadBytes(payload: LayerImagePayload, what: string): Uint8Array {
    if ('png' in payload) {
      const bytes = Buffer.from(payload.png, 'base64');
      if (bytes.length === 0) throw new StudioError('BAD_REQUEST', `The image of ${what} is empty.`);
      return bytes;
    }
    return this.readUpload(payload.uploadId);
  }

  private readUpload(uploadId: string): Uint8Array {
    const file = this.resolveUpload(uploadId);
    if (!file) throw new StudioError('NOT_FOUND', 'That upload is gone (uploads are kept for a day); send the image again.', { uploadId });
    return fs.readFileSync(file);
  }

  save(p: { avatarId: string; layers: TextureLayerMeta[]; images: Record<string, LayerImagePayload>; baseRevision?: number }): { revision: number; layers: StoredTextureLayer[] } {
    this.s.library.assertWritable();
    assertTextureEditable(this.s, p.avatarId);
    const { avatar, mapSize } = this.requireBake(p.avatarId);
    const projectId = avatar.projectId;
    const current = this.readRevision(projectId, p.avatarId);
    if (p.baseRevision !== undefined && p.baseRevision !== current)
      throw new StudioError('CONFLICT', 'The texture was saved from another window since this editor loaded it. Reload the editor to see those changes.', { revision: current });
    const ids = new Set<string>();
    for (const l of p.layers) {
      if (ids.has(l.id)) throw new StudioError('BAD_REQUEST', `Layer id ${l.id} appears twice.`);
      ids.add(l.id);
      const owner = this.repo.ownerOf(l.id);
      if (owner && owner !== p.avatarId) throw new StudioError('BAD_REQUEST', `Layer id ${l.id} belongs to another avatar.`);
    }
    for (const id of Object.keys(p.images)) if (!ids.has(id)) throw new StudioError('BAD_REQUEST', `An image was sent for layer ${id}, which is not in the layer list.`);

    // Check every new raster before anything is written.
    const writes: { layer: TextureLayerMeta; bytes: Uint8Array }[] = [];
    for (const layer of p.layers) {
      const payload = p.images[layer.id];
      if (layer.kind === 'fill') {
        if (payload) throw new StudioError('BAD_REQUEST', `Fill layer “${layer.name}” has no image; none may be sent.`);
        continue;
      }
      if (!payload) {
        if (!fs.existsSync(this.abs(projectId, layerImagePath(p.avatarId, layer.id))))
          throw new StudioError('BAD_REQUEST', `Layer “${layer.name}” has no image yet; send its pixels with the save.`);
        continue;
      }
      const bytes = this.payloadBytes(payload, `layer “${layer.name}”`);
      let image: RasterImage;
      try {
        image = decodePng(bytes);
      } catch (err) {
        throw new StudioError('BAD_REQUEST', `The image of layer “${layer.name}” is not a readable PNG (${(err as Error).message}).`);
      }
      if ((layer.kind === 'paint' || layer.kind === 'image') && (image.width !== mapSize || image.height !== mapSize))
        throw new StudioError('BAD_REQUEST', `Layer “${layer.name}” is ${image.width}×${image.height}; ${layer.kind} layers must be the map's size, ${mapSize}×${mapSize}.`, { expected: mapSize });
      if (layer.kind === 'sticker' && Math.max(image.width, image.height) > Math.max(mapSize, 4096))
        throw new StudioError('BAD_REQUEST', `Sticker “${layer.name}” is ${image.width}×${image.height}; stickers are at most ${Math.max(mapSize, 4096)} px on a side.`);
      writes.push({ layer, bytes });
    }

    const before = this.repo.list(p.avatarId);
    const revision = current + 1;
    try {
      const blobIds = new Map<string, number>();
      const hashes = new Map<string, { sha256: string; size: number }>();
      for (const w of writes) hashes.set(w.layer.id, writeFileAtomic(this.abs(projectId, layerImagePath(p.avatarId, w.layer.id)), w.bytes));
      this.s.library.db.transaction(() => {
        for (const layer of p.layers) {
          if (layer.kind === 'fill') continue;
          const rel = layerImagePath(p.avatarId, layer.id);
          const h = hashes.get(layer.id);
          const blob = h ? this.s.blobs.record(projectId, rel, h.sha256, h.size) : (this.s.blobs.find(projectId, rel) ?? this.recordExisting(projectId, rel));
          blobIds.set(layer.id, blob.id);
        }
        this.repo.replace(p.avatarId, p.layers, blobIds);
        for (const gone of before.filter((l) => !ids.has(l.id) && l.kind !== 'fill')) {
          this.s.library.db.prepare('DELETE FROM blobs WHERE project_id = ? AND path = ?').run(projectId, layerImagePath(p.avatarId, gone.id));
        }
      })();
      writeFileAtomic(this.abs(projectId, textureStatePath(p.avatarId)), JSON.stringify({ revision, savedAt: Date.now() }));
    } catch (err) {
      throw toStudioFsError(err, 'saving the texture layers');
    }
    for (const gone of before.filter((l) => !ids.has(l.id) && l.kind !== 'fill')) fs.rmSync(this.abs(projectId, layerImagePath(p.avatarId, gone.id)), { force: true });
    return { revision, layers: p.layers.map((l) => this.stored(projectId, p.avatarId, l)) };
  }

  /** A staged import (written by importSticker/importMap, not yet saved) gets its blob row now. */
  private recordExisting(projectId: string, rel: string) {
    const bytes = fs.readFileSync(this.abs(projectId, rel));
    return this.s.blobs.record(projectId, rel, createHash('sha256').update(bytes).digest('hex'), bytes.length);
  }

  private readSource(p: { uploadId?: string; path?: string }): { bytes: Uint8Array; name: string } {
    if (p.uploadId && p.path) throw new StudioError('BAD_REQUEST', 'Give either an upload id or a path, not both.');
    const limits = { maxBytes: MAX_IMAGE_FILE_BYTES, what: 'The image' };
    if (p.uploadId) {
      const file = this.resolveUpload(p.uploadId);
      if (!file) throw new StudioError('NOT_FOUND', 'That upload is gone (uploads are kept for a day); pick the file again.', { uploadId: p.uploadId });
      return { bytes: readOutsideFile(file, limits), name: path.basename(file) };
    }
    if (!p.path) throw new StudioError('BAD_REQUEST', 'Give the image as an upload id or a path.');
    if (!path.isAbsolute(p.path)) throw new StudioError('BAD_REQUEST', `“${p.path}” is not an absolute path.`);
    return { bytes: readOutsideFile(p.path, limits), name: path.basename(p.path) };
  }


  private stage(projectId: string, avatarId: string, layer: TextureLayerMeta, image: RasterImage): StoredTextureLayer {
    const rel = layerImagePath(avatarId, layer.id);
    try {
      writeFileAtomic(this.abs(projectId, rel), encodePng(image));
    } catch (err) {
      throw toStudioFsError(err, 'storing the imported image');
    }
    return { layer, image: rel, width: image.width, height: image.height };
  }

  /**
   * A sticker from a PNG, JPEG or SVG (with alpha). Bigger than the map → scaled down to fit in M×M (with a note);
   * SVGs are rasterised with their longer side at M. Staged: the editor adds the layer and its next save stores the row.
   */
  async importSticker(p: { avatarId: string; uploadId?: string; path?: string; name?: string }): Promise<TexturesImportResult> {
    this.s.library.assertWritable();
    assertTextureEditable(this.s, p.avatarId);
    const { avatar, mapSize } = this.requireBake(p.avatarId);
    const src = this.readSource(p);
    const decoded = await decodeImageFile(src.bytes, src.name, { svgLongSide: mapSize });
    let image = decoded.image;
    let note: string | null = null;
    const long = Math.max(image.width, image.height);
    if (long > mapSize) {
      const k = mapSize / long;
      const w = Math.max(1, Math.round(image.width * k));
      const h = Math.max(1, Math.round(image.height * k));
      note = `The sticker is ${image.width}×${image.height} pixels, bigger than the ${mapSize}×${mapSize} texture; it was scaled down to ${w}×${h}.`;
      image = resizeRaster(image, w, h);
    }
    const name = (p.name ?? src.name.replace(/\.[^.]+$/, '')).slice(0, 200) || 'Sticker';
    const aspect = image.width / image.height;
    const layer: TextureLayer = {
      id: newLayerId(),
      name,
      kind: 'sticker',
      visible: true,
      opacity: 1,
      blend: 'normal',
      transform: { u: 0.5, v: 0.5, size: aspect >= 1 ? 1 / 3 : (1 / 3) * aspect, rotation: 0, flipX: false, flipY: false },
    };
    return { layer: this.stage(avatar.projectId, p.avatarId, layer, image), note };
  }

  /**
   * A map edited in an external painter (PNG or JPEG, the same size and orientation as the exported colour map)
   * becomes a new image layer. Wrong size, or fewer than 3 channels → BAD_REQUEST naming the expected size.
   */
  async importMap(p: { avatarId: string; uploadId?: string; path?: string; name?: string }): Promise<TexturesImportResult> {
    this.s.library.assertWritable();
    assertTextureEditable(this.s, p.avatarId);
    const { avatar, mapSize } = this.requireBake(p.avatarId);
    const src = this.readSource(p);
    if (/\.svg$/i.test(src.name)) throw new StudioError('BAD_REQUEST', `“${src.name}” is an SVG; import a map as a PNG or JPEG of ${mapSize}×${mapSize} pixels (or add the SVG as a sticker).`, { expected: mapSize });
    const decoded = await decodeImageFile(src.bytes, src.name, { svgLongSide: mapSize });
    if (decoded.format === 'svg') throw new StudioError('BAD_REQUEST', `“${src.name}” is an SVG; import a map as a PNG or JPEG of ${mapSize}×${mapSize} pixels (or add the SVG as a sticker).`, { expected: mapSize });
    const { image, channels } = decoded;
    if (image.width !== mapSize || image.height !== mapSize)
      throw new StudioError('BAD_REQUEST', `“${src.name}” is ${image.width}×${image.height} pixels; this avatar's maps are ${mapSize}×${mapSize}. Import a map of the same size and orientation as the exported colour map.`, {
        expected: mapSize,
        width: image.width,
        height: image.height,
      });
    if (channels < 3)
      throw new StudioError('BAD_REQUEST', `“${src.name}” has ${channels} channel${channels === 1 ? '' : 's'} (greyscale); a colour map needs 3 (RGB) or 4 (RGBA) channels, ${mapSize}×${mapSize} pixels.`, { expected: mapSize, channels });
    const layer: TextureLayer = { id: newLayerId(), name: (p.name ?? src.name.replace(/\.[^.]+$/, '')).slice(0, 200) || 'Imported map', kind: 'image', visible: true, opacity: 1, blend: 'normal' };
    return { layer: this.stage(avatar.projectId, p.avatarId, layer, image), note: null };
  }

  /** The base map with the saved layers composited on top (what `exportMap('composite')` writes). */
  compositeSaved(avatarId: string): RasterImage {
    const { avatar, bake, mapSize } = this.requireBake(avatarId);
    const base = readPngFile(this.abs(avatar.projectId, bake.colour));
    if (base.width !== mapSize) throw new StudioError('CONFLICT', 'The bake changed while reading it; try again.');
    const layers = this.repo.list(avatarId) as TextureLayer[];
    const images: Record<string, RasterImage> = {};
    for (const l of layers) {
      if (l.kind === 'fill') continue;
      const file = this.abs(avatar.projectId, layerImagePath(avatarId, l.id));
      if (fs.existsSync(file)) images[l.id] = decodePng(fs.readFileSync(file));
    }
    const c = compositeTexture(base, layers, images);
    return { width: c.width, height: c.height, data: c.rgba };
  }

  /**
   * Writes one map as PNG: the baked colour, the colour with the layers composited, the baked opacity or the
   * visibility map. Into `path` (absolute) or the project's `exports/textures/`.
   */
  exportMap(p: { avatarId: string; map: TextureMapKind; path?: string }): { path: string; projectPath: string | null; bytes: number; width: number; height: number } {
    const { avatar, bake } = this.requireBake(p.avatarId);
    let png: Uint8Array;
    let size: { width: number; height: number };
    if (p.map === 'composite') {
      const image = this.compositeSaved(p.avatarId);
      png = encodePng(image);
      size = image;
    } else {
      const file = this.abs(avatar.projectId, bake[p.map]);
      if (!fs.existsSync(file)) throw new StudioError('NOT_FOUND', `The bake has no ${p.map} map (${bake[p.map]}); bake the avatar again.`);
      png = fs.readFileSync(file);
      size = readPngHeader(png);
    }
    let target: string;
    let projectPath: string | null = null;
    if (p.path) {
      if (!path.isAbsolute(p.path)) throw new StudioError('BAD_REQUEST', `“${p.path}” is not an absolute path.`);
      target = /\.png$/i.test(p.path) ? p.path : `${p.path}.png`;
    } else {
      this.s.library.assertWritable();
      const safeName = avatar.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'avatar';
      projectPath = `exports/textures/${safeName}-${avatar.id.slice(0, 8)}-${p.map}.png`;
      target = this.abs(avatar.projectId, projectPath);
    }
    try {
      const { sha256, size: bytes } = writeFileAtomic(target, png);
      if (projectPath) this.s.blobs.record(avatar.projectId, projectPath, sha256, bytes);
      return { path: target, projectPath, bytes, width: size.width, height: size.height };
    } catch (err) {
      throw toStudioFsError(err, `writing the ${p.map} map`);
    }
  }
}

/** Any PNG (the bake's own, or an external one) → RGBA8. */
function readPngFile(file: string): RasterImage {
  const png = PNG.sync.read(fs.readFileSync(file));
  return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}
