/**
 * The one way a name that came from outside (a bundle's section name, an upload's file name, a URL path, a path stored
 * in a record) reaches the file system, and the one way a file the user named (a bundle, a FLAME model, a calibration
 * file, a sticker) is read. docs/security.md says which inputs go through which.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The real path of `p` if it exists (symlinks resolved), else the real path of its deepest existing ancestor joined
 * with the rest. Null when a component is a dangling symlink or cannot be resolved. */
function realPathOrAncestor(p: string): string | null {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      fs.lstatSync(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') return null;
      const parent = path.dirname(cur);
      if (parent === cur) return null;
      rest.unshift(path.basename(cur));
      cur = parent;
      continue;
    }
    try {
      return path.join(fs.realpathSync.native(cur), ...rest);
    } catch {
      return null; // a dangling or looping symlink
    }
  }
}

/**
 * Resolves `rel` (a relative name from outside, `/`-separated) inside `root`, or null when it would leave it: an empty
 * name, a NUL byte, an absolute path, a `..` that climbs out, or a symlink anywhere on the way (the file itself
 * included) that points outside `root`. The path returned is the real one (symlinks inside `root` resolved), so what
 * is opened next is what was checked. A path that does not exist yet is checked through its deepest existing folder.
 */
export function containedPath(root: string, rel: string): string | null {
  if (typeof rel !== 'string' || !rel || rel.includes('\0') || path.isAbsolute(rel) || path.win32.isAbsolute(rel)) return null;
  const lexical = path.resolve(root, rel);
  if (!isInside(path.resolve(root), lexical)) return null;
  const realRoot = realPathOrAncestor(path.resolve(root));
  const real = realPathOrAncestor(lexical);
  if (!realRoot || !real || !isInside(realRoot, real)) return null;
  return real;
}

/** `containedPath` that throws a BAD_REQUEST naming `what` instead of returning null. */
export function requireContainedPath(root: string, rel: string, what: string): string {
  const p = containedPath(root, rel);
  if (!p) throw new StudioError('BAD_REQUEST', `${what} "${String(rel).slice(0, 200)}" is not a plain name inside its folder (absolute, "..", or a link leading outside); it was refused.`);
  return p;
}

export interface OutsideFileLimits {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** What the file is, for messages ("The avatar bundle", "The FLAME model"). */
  what: string;
}

const MiB = 1024 * 1024;
const formatSize = (n: number) => (n >= 1024 * MiB ? `${(n / 1024 / MiB).toFixed(1)} GiB` : n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${n} bytes`);

/**
 * Opens a file the user named for reading, refusing what is not a regular file (a device such as /dev/zero, a FIFO, a
 * folder, a socket) and what is over `maxBytes`, before reading anything. Opened non-blocking so a FIFO cannot hang
 * the call; the checks are made on the open descriptor, so the file checked is the file read.
 */
export function openOutsideFile(file: string, limits: OutsideFileLimits): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new StudioError('NOT_FOUND', `${limits.what} ${file} does not exist.`);
    if (code === 'EISDIR') throw new StudioError('BAD_REQUEST', `${limits.what} ${file} is a folder, not a file.`);
    if (code === 'EACCES' || code === 'EPERM') throw new StudioError('BAD_REQUEST', `${limits.what} ${file} cannot be read: permission denied.`);
    throw new StudioError('BAD_REQUEST', `${limits.what} ${file} cannot be opened (${code ?? (err as Error).message}).`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new StudioError('BAD_REQUEST', `${limits.what} ${file} is a folder, not a file.`);
    if (!st.isFile()) throw new StudioError('BAD_REQUEST', `${limits.what} ${file} is not a regular file (a device, pipe or socket); choose a file.`);
    if (st.size > limits.maxBytes) {
      const [size, max] = formatSize(st.size) === formatSize(limits.maxBytes) ? [`${st.size} bytes`, `${limits.maxBytes}-byte`] : [formatSize(st.size), formatSize(limits.maxBytes)];
      throw new StudioError('BAD_REQUEST', `${limits.what} ${file} is ${size}, over the ${max} limit for such files; it was not read.`);
    }
    return { fd, size: st.size };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** Reads a whole file the user named, within `limits` (see `openOutsideFile`); a file that grows while being read is cut at the limit and refused. */
export function readOutsideFile(file: string, limits: OutsideFileLimits): Buffer {
  const { fd, size } = openOutsideFile(file, limits);
  try {
    const buf = Buffer.allocUnsafe(Math.min(size, limits.maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) throw new StudioError('BAD_REQUEST', `${limits.what} ${file} changed size while it was read; try again once it is complete.`);
    }
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** `readOutsideFile` without blocking the event loop (for large model files read in the services host). */
export async function readOutsideFileAsync(file: string, limits: OutsideFileLimits): Promise<Buffer> {
  const { fd, size } = openOutsideFile(file, limits);
  try {
    const buf = Buffer.allocUnsafe(size + 1);
    let n = 0;
    for (;;) {
      const r = await new Promise<number>((resolve, reject) => fs.read(fd, buf, n, buf.length - n, null, (err, bytes) => (err ? reject(err) : resolve(bytes))));
      if (r === 0) break;
      n += r;
      if (n === buf.length) throw new StudioError('BAD_REQUEST', `${limits.what} ${file} changed size while it was read; try again once it is complete.`);
    }
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The segments of a URL path (`/a/b%20c`) decoded, or null when one is malformed percent-encoding or decodes to a
 * separator, NUL, `.` or `..` (a name must not gain structure by being decoded).
 */
export function decodeUrlPath(pathname: string): string[] | null {
  const out: string[] = [];
  for (const raw of pathname.split('/')) {
    if (!raw) continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === '.' || seg === '..' || /[/\\\0]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}
