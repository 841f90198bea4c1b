import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { newId } from '../services/library/ids';
import { toStudioFsError } from '../services/fs/atomic-write';
import { containedPath, requireContainedPath } from '../services/fs/contained-path';
import { StudioError } from '@shared/api/errors';

/** Largest single upload accepted in web mode (footage files are big; the disk is the real limit). */
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

export function uploadsDir(libraryDir: string): string {
  return path.join(libraryDir, 'uploads');
}

/** Longest stored name in UTF-8 bytes: file systems allow 255, and the temp name adds a few. */
export const MAX_NAME_BYTES = 200;
/** Control characters (C0, C1), characters Windows refuses, and invisible, bidirectional marks and overrides. */
const INVISIBLE = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060\\u2066-\\u2069\\ufeff';
const UNSAFE_CHARS = new RegExp(`[${INVISIBLE}<>:"|?*]`, 'g');
/** What a name may not start with (a leading dot hides the file; the upload would look gone) or end with. */
const LEADING = new RegExp(`^[\\s.${INVISIBLE}]+`);
const TRAILING = new RegExp(`[\\s.${INVISIBLE}]+$`);
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` cut to at most `maxBytes` of UTF-8 at a character (grapheme) boundary. */
function cutUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    bytes += Buffer.byteLength(segment);
    if (bytes > maxBytes) break;
    out += segment;
  }
  return out;
}

/**
 * A file name safe to store, from a name a browser sent: no folders, no control or bidirectional-override
 * characters, no characters Windows refuses, no leading dots (hidden files; the upload would look gone), at most
 * `MAX_NAME_BYTES` of UTF-8 with its extension kept; never empty.
 */
export function safeFileName(name: string): string {
  const original = path.basename(String(name).replace(/\\/g, '/'));
  const stripped = original.replace(LEADING, '').replace(TRAILING, '');
  // a name that was only an extension (".mp4") keeps it
  let base = (stripped && !stripped.includes('.') && LEADING.exec(original)?.[0].includes('.') ? `upload.${stripped}` : stripped).replace(UNSAFE_CHARS, '_');
  if (!base) return 'upload';
  if (WINDOWS_RESERVED.test(base)) base = `_${base}`;
  if (Buffer.byteLength(base) <= MAX_NAME_BYTES) return base;
  const ext = path.extname(base);
  const keepExt = ext.length > 1 && Buffer.byteLength(ext) <= 32 ? ext : '';
  const stem = cutUtf8(base.slice(0, base.length - keepExt.length), MAX_NAME_BYTES - Buffer.byteLength(keepExt)).trim();
  return (stem || 'upload') + keepExt;
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
  let size = 0;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = requireContainedPath(dir, `.${fileName}.part`, 'The upload name');
    const out = fs.createWriteStream(tmp);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_UPLOAD_BYTES) req.destroy(new StudioError('BAD_REQUEST', 'The upload is larger than the limit.'));
    });
    await pipeline(req, out);
    fs.renameSync(tmp, requireContainedPath(dir, fileName, 'The upload name'));
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
  return file ? containedPath(dir, file) : null;
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
