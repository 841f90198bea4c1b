import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { containedPath } from '../services/fs/contained-path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.ply': 'application/octet-stream',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Streams a file inside `root` (`rel` is a name from a URL: checked by `containedPath`, symlinks leading outside
 * refused), honouring single byte ranges (video scrubbing needs them). Returns false when there is no such file.
 * The file is opened before the answer starts, so one that disappears later is still served whole (POSIX) or the
 * response is cut; the descriptor is closed when the response ends, fails or the client goes away.
 */
export function sendFile(req: http.IncomingMessage, res: http.ServerResponse, root: string, rel: string, extraHeaders: Record<string, string> = {}): boolean {
  const file = containedPath(root, rel);
  if (!file) return false;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return false;
  }
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch {
    fs.closeSync(fd);
    return false;
  }
  if (!stat.isFile()) {
    fs.closeSync(fd);
    return false;
  }
  const headers: Record<string, string | number> = { 'Content-Type': contentType(file), 'Accept-Ranges': 'bytes', 'X-Content-Type-Options': 'nosniff', ...extraHeaders };
  let start = 0;
  let end = stat.size - 1;
  let status = 200;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, stat.size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), stat.size - 1) : stat.size - 1;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end || start >= stat.size) {
      fs.closeSync(fd);
      res.writeHead(416, { 'Content-Range': `bytes */${stat.size}` }).end();
      return true;
    }
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${stat.size}`;
  }
  res.writeHead(status, { ...headers, 'Content-Length': stat.size === 0 ? 0 : end - start + 1 });
  if (req.method === 'HEAD' || stat.size === 0) {
    fs.closeSync(fd);
    res.end();
    return true;
  }
  // pipeline destroys both streams (and so closes the descriptor) on error or when the client aborts
  pipeline(fs.createReadStream('', { fd, start, end, autoClose: true }), res).catch(() => undefined);
  return true;
}
