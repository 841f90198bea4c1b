import { bytesToBase64, decodePng, encodePng, type LayerImagePayload, type RasterImage } from '@shared/texture';
import { studio } from '../../store/studio';
import type { LoadedTexture, TexturePersistence } from './persistence';

/**
 * In web mode, PNGs travel inline while the message's inline total stays under this (base64 grows them by a third;
 * the WebSocket limit is 1 MiB per message); the rest go through the upload endpoint.
 */
const INLINE_BUDGET_BYTES = 512 * 1024;

async function fetchBytes(projectId: string, rel: string): Promise<Uint8Array> {
  const res = await fetch(studio().assetUrl(projectId, rel), { cache: 'no-store' });
  if (!res.ok) throw new Error(`Could not read ${rel} from the project folder (HTTP ${res.status}).`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Web mode: `PUT /upload` (same as footage uploads); answers the upload id. */
async function upload(bytes: Uint8Array, name: string): Promise<string> {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const res = await fetch(`/upload?token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`, { method: 'PUT', body: bytes as BodyInit });
  const body = (await res.json().catch(() => ({}))) as { uploadId?: string; error?: { message?: string } };
  if (!res.ok || !body.uploadId) throw new Error(body.error?.message ?? `The upload of ${name} was refused (HTTP ${res.status}).`);
  return body.uploadId;
}

async function payloadFor(png: Uint8Array, name: string, budget: { left: number }): Promise<LayerImagePayload> {
  if (studio().frontDoor === 'electron') return { png: bytesToBase64(png) };
  if (png.length <= budget.left) {
    budget.left -= png.length;
    return { png: bytesToBase64(png) };
  }
  return { uploadId: await upload(png, name) };
}

function greyChannel(image: RasterImage): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i * 4];
  return out;
}

/** Project of each loaded avatar (import/export answers project-relative paths). */
const projectOf = new Map<string, string>();

async function projectIdOf(avatarId: string): Promise<string> {
  const known = projectOf.get(avatarId);
  if (known) return known;
  const info = await studio().client.call('textures.load', { avatarId });
  projectOf.set(avatarId, info.projectId);
  return info.projectId;
}

/** The texture editor's persistence through the studio connection (textures.* calls + the project file route). */
export function studioTexturePersistence(): TexturePersistence {
  return {
    async load(avatarId): Promise<LoadedTexture> {
      const info = await studio().client.call('textures.load', { avatarId });
      const pid = info.projectId;
      projectOf.set(avatarId, pid);
      if (!info.base) return { projectId: pid, avatarId, mapSize: 0, base: null, visibility: null, layers: [], revision: info.revision, locked: info.locked };
      const [base, visibility, ...images] = await Promise.all([
        fetchBytes(pid, info.base.colour).then(decodePng),
        fetchBytes(pid, info.base.visibility)
          .then((b) => greyChannel(decodePng(b)))
          .catch(() => null),
        ...info.layers.map((l) => (l.image ? fetchBytes(pid, l.image).then(decodePng) : Promise.resolve(null))),
      ]);
      return {
        projectId: pid,
        avatarId,
        mapSize: info.mapSize,
        base: base as RasterImage,
        visibility: visibility as Uint8Array | null,
        layers: info.layers.map((l, i) => ({ layer: l.layer, image: images[i] as RasterImage | null })),
        revision: info.revision,
        locked: info.locked,
      };
    },

    async save(avatarId, layers, changed, baseRevision) {
      const images: Record<string, LayerImagePayload> = {};
      const budget = { left: INLINE_BUDGET_BYTES };
      for (const [id, image] of Object.entries(changed)) images[id] = await payloadFor(encodePng(image, 3), `${id}.png`, budget);
      const r = await studio().client.call('textures.save', { avatarId, layers, images, baseRevision });
      return r.revision;
    },

    async importFile(avatarId, file, kind) {
      const method = kind === 'sticker' ? 'textures.importSticker' : 'textures.importMap';
      let source: { path: string } | { uploadId: string };
      if ('path' in file) source = file;
      else {
        const path = window.studioBridge?.pathForFile(file);
        source = path ? { path } : { uploadId: await upload(new Uint8Array(await file.arrayBuffer()), file.name) };
      }
      const name = 'name' in file ? file.name.replace(/\.[^.]+$/, '') : undefined;
      const r = await studio().client.call(method, { avatarId, ...source, ...(name ? { name } : {}) });
      const image = decodePng(await fetchBytes(await projectIdOf(avatarId), r.layer.image!));
      return { layer: r.layer, image, note: r.note };
    },

    async exportMap(avatarId, map) {
      const r = await studio().client.call('textures.exportMap', { avatarId, map });
      return { path: r.path, url: r.projectPath ? studio().assetUrl(await projectIdOf(avatarId), r.projectPath) : null };
    },
  };
}
