import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { Zip, ZipDeflate, ZipPassThrough, type ZipInputFile } from 'fflate';
import { isStudioError } from '@shared/api/errors';
import { ProjectId } from '@shared/model/project';
import { getExport } from '../services/export/export-jobs';
import { containedPath } from '../services/fs/contained-path';
import type { StudioServices } from '../services/studio-services';
import { safeFileName } from './upload';

/**
 * `GET /exports/<projectId>/<exportId>.zip?token=…` in web mode: a folder export (web player, PNG sequence, texture
 * maps, OBJ sequence) as one .zip, made while it is sent (fflate's streaming `Zip`, one file at a time, reading paused
 * while the socket is full). A browser has no other way to take a folder away. The folder is the one recorded for that
 * export of that project (the `exports` row, never a path from the request) and must lie inside the project folder
 * (`containedPath`); single files keep their `/files/…` download.
 */

/** A zip without ZIP64 (fflate writes none) holds at most 4 GiB; refuse well before. */
export const MAX_ZIP_BYTES = 4 * 1024 ** 3 - 64 * 1024 ** 2;
/** Sanity limits on what is walked (exports have hundreds of files at most; a mesh sequence ≈ 600). */
export const MAX_ZIP_FILES = 100_000;
const MAX_DEPTH = 16;
/** Already compressed: stored as they are (deflating them costs CPU and saves nothing). */
const STORED = new Set(['.png', '.jpg', '.jpeg', '.webp', '.mp4', '.webm', '.zip', '.gz', '.spz', '.onnx']);
const ID = /^[0-9a-f]{32}$/;

export interface ZipEntry {
  /** `/`-separated name inside the archive (and inside the folder). */
  name: string;
  abs: string;
  size: number;
  mtime: Date;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The regular files under `dir`, sorted by name; symlinks and anything not a plain file or folder are left out (an
 * export writes none, and a link could lead outside the project).
 */
export function listFolder(dir: string): ZipEntry[] {
  const out: ZipEntry[] = [];
  const walk = (abs: string, prefix: string, depth: number) => {
    if (depth > MAX_DEPTH) throw new Refusal(409, `The exported folder is nested more than ${MAX_DEPTH} levels deep; it is not zipped.`);
    const entries = fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childAbs = path.join(abs, e.name);
      const name = prefix + e.name;
      if (e.isDirectory()) walk(childAbs, `${name}/`, depth + 1);
      else if (e.isFile()) {
        const st = fs.lstatSync(childAbs);
        if (!st.isFile()) continue;
        out.push({ name, abs: childAbs, size: st.size, mtime: st.mtime });
        if (out.length > MAX_ZIP_FILES) throw new Refusal(413, `The exported folder has more than ${MAX_ZIP_FILES} files; it is not zipped. Copy it from the studio's machine.`);
      }
    }
  };
  walk(dir, '', 0);
  return out;
}

/** `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987); never a quote, slash or control. */
export function contentDisposition(fileName: string): string {
  const safe = safeFileName(fileName);
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_');
  const encoded = encodeURIComponent(safe).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The folder of export `exportId` of project `projectId`, checked; throws a `Refusal` with the status to answer. */
export function exportFolder(s: Pick<StudioServices, 'library' | 'projects'>, projectId: string, exportId: string): { dir: string; name: string } {
  if (!ProjectId.safeParse(projectId).success || !ID.test(exportId)) throw new Refusal(400, 'Expected /exports/<project id>/<export id>.zip (32 hex characters each).');
  let root: string;
  try {
    root = s.projects.folderOf(projectId);
  } catch {
    throw new Refusal(404, 'No such project.');
  }
  let record;
  try {
    record = getExport(s, exportId);
  } catch (err) {
    if (isStudioError(err) && err.code === 'NOT_FOUND') throw new Refusal(404, 'No such export in this project.');
    throw err;
  }
  // Another project's export reads as unknown: the id alone says nothing about where it belongs.
  if (record.projectId !== projectId) throw new Refusal(404, 'No such export in this project.');
  if (!record.path) throw new Refusal(404, 'This export has no recorded file.');
  if (path.isAbsolute(record.path) || path.win32.isAbsolute(record.path)) throw new Refusal(409, 'This export was written outside the project folder; web mode does not serve it. Copy it from the studio’s machine.');
  const dir = containedPath(root, record.path);
  if (!dir) throw new Refusal(404, 'The exported folder is not inside the project (a link leading outside?); it is not served.');
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    throw new Refusal(404, 'The exported folder is gone (deleted or moved). Export it again.');
  }
  if (st.isFile()) throw new Refusal(409, 'This export is a single file: download it as it is (/files/…), not as a zip.');
  if (!st.isDirectory()) throw new Refusal(404, 'The export is not a folder.');
  return { dir, name: `${path.basename(record.path)}.zip` };
}

/** Resolves when `res` can take more (or is gone). */
function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** DOS time in a zip runs from 1980 to 2107 (fflate refuses dates outside 1980–2099). */
const zipTime = (d: Date) => (d.getFullYear() >= 1980 && d.getFullYear() <= 2099 ? d : new Date());

/** Writes the zip of `files` to `res`, one file at a time, waiting for the socket when it is full. */
export async function streamZip(res: http.ServerResponse, files: ZipEntry[]): Promise<void> {
  let failure: Error | null = null;
  const zip = new Zip((err, chunk, final) => {
    if (err) {
      failure = err;
      return;
    }
    if (res.destroyed) return;
    if (chunk.length) res.write(chunk);
    if (final) res.end();
  });
  try {
    for (const f of files) {
      if (res.destroyed) break;
      const entry: ZipInputFile & { push(chunk: Uint8Array, final?: boolean): void } = STORED.has(path.extname(f.name).toLowerCase()) ? new ZipPassThrough(f.name) : new ZipDeflate(f.name, { level: 6 });
      entry.mtime = zipTime(f.mtime);
      zip.add(entry);
      // a symlink swapped in since the listing is not followed, a FIFO cannot block the server, only a file is read
      const fd = fs.openSync(f.abs, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
      if (!fs.fstatSync(fd).isFile()) {
        fs.closeSync(fd);
        throw new Error(`${f.name} is no longer a plain file`);
      }
      const stream = fs.createReadStream('', { fd, highWaterMark: 256 * 1024, autoClose: true });
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          entry.push(chunk, false);
          if (failure) throw failure;
          if (res.writableNeedDrain) await drained(res);
          if (res.destroyed) break;
        }
      } finally {
        stream.destroy();
      }
      if (res.destroyed) break;
      entry.push(new Uint8Array(0), true);
      if (failure) throw failure;
    }
    if (!res.destroyed) zip.end();
    if (failure) throw failure;
  } catch (err) {
    zip.terminate();
    throw err;
  }
}

/** Answers `GET|HEAD /exports/<projectId>/<exportId>.zip` (after the token check). Never throws. */
export function serveExportZip(req: http.IncomingMessage, res: http.ServerResponse, s: Pick<StudioServices, 'library' | 'projects'>, projectId: string, file: string): void {
  let folder: { dir: string; name: string };
  let files: ZipEntry[];
  try {
    if (!file.endsWith('.zip')) throw new Refusal(400, 'Expected /exports/<project id>/<export id>.zip.');
    folder = exportFolder(s, projectId, file.slice(0, -'.zip'.length));
    files = listFolder(folder.dir);
    const total = files.reduce((n, f) => n + f.size, 0);
    if (total > MAX_ZIP_BYTES) throw new Refusal(413, `The exported folder holds ${(total / 1024 ** 3).toFixed(1)} GiB, more than a zip can carry here; copy it from the studio's machine.`);
  } catch (err) {
    const status = err instanceof Refusal ? err.status : 500;
    if (!(err instanceof Refusal)) console.error('web mode: an export could not be zipped:', err);
    const message = err instanceof Refusal ? err.message : 'The export could not be zipped.';
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(`${message}\n`);
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': contentDisposition(folder.name),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  streamZip(res, files).catch((err) => {
    // headers are sent: a cut response is how the browser learns the download failed
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') console.error('web mode: zipping an export failed:', err);
    res.destroy();
  });
}
