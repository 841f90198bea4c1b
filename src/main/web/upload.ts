import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { newId } from '../services/library/ids';
import { toStudioFsError } from '../services/fs/atomic-write';
import { StudioError } from '@shared/api/errors';

/** Largest single upload accepted in web mode (footage files are big; the disk is the real limit). */
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

export function uploadsDir(libraryDir: string): string {
  return path.join(libraryDir, 'uploads');
}

/** A file name safe to store: no folders, no control characters, not empty. */
export function safeFileName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').trim();
  return base && base !== '.' && base !== '..' ? base.slice(0, 200) : 'upload';
}

/**
 * `PUT /upload?token=…&name=<file name>`: streams the body into `<library>/uploads/<id>/<name>` (temp name until
 * complete) and answers `{ uploadId, name, size }`. `captures.import` takes the id. Browsers drop and pick files,
 * they have no paths on the studio's machine, so web mode uploads them.
 */
export async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, libraryDir: string, name: string): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES) {
    reply(413, { error: { code: 'BAD_REQUEST', message: `The file is larger than the ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB upload limit.` } });
    req.resume();
    return;
  }
  const id = newId();
  const dir = path.join(uploadsDir(libraryDir), id);
  const fileName = safeFileName(name);
  const tmp = path.join(dir, `.${fileName}.part`);
  let size = 0;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const out = fs.createWriteStream(tmp);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_UPLOAD_BYTES) req.destroy(new StudioError('BAD_REQUEST', 'The upload is larger than the limit.'));
    });
    await pipeline(req, out);
    fs.renameSync(tmp, path.join(dir, fileName));
    reply(200, { uploadId: id, name: fileName, size });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    const mapped = toStudioFsError(err, 'receiving the upload');
    const shape = mapped instanceof StudioError ? mapped.toShape() : { code: 'BAD_REQUEST', message: `The upload did not complete: ${(err as Error).message}` };
    if (!res.headersSent) reply(mapped instanceof StudioError && mapped.code === 'DISK_FULL' ? 507 : 400, { error: shape });
  }
}

/** The stored file of an upload, or null. */
export function resolveUpload(libraryDir: string, uploadId: string): string | null {
  if (!/^[0-9a-f]{32}$/.test(uploadId)) return null;
  const dir = path.join(uploadsDir(libraryDir), uploadId);
  if (!fs.existsSync(dir)) return null;
  const file = fs.readdirSync(dir).find((f) => !f.startsWith('.'));
  return file ? path.join(dir, file) : null;
}

/** Removes uploads older than a day (an import copies what it needs; the upload is only a staging file). */
export function pruneUploads(libraryDir: string, maxAgeMs = 24 * 3600 * 1000): void {
  const root = uploadsDir(libraryDir);
  if (!fs.existsSync(root)) return;
  for (const entry of fs.readdirSync(root)) {
    const p = path.join(root, entry);
    try {
      if (Date.now() - fs.statSync(p).mtimeMs > maxAgeMs) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
}
