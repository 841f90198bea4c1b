import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, RequestMessage, type ServerMessage } from '@shared/api/wire';
import { ProjectId } from '@shared/model/project';
import type { StudioHost } from '../host/studio-host';
import { decodeUrlPath } from '../services/fs/contained-path';
import { serveExportZip } from './export-zip';
import { sendFile } from './static-files';
import { handleUpload } from './upload';

export interface WebServerOptions {
  host: StudioHost;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  /** Fixed token (tests); a random one per launch otherwise. */
  token?: string;
  /** Record the address in the library lock so the CLI can work through this studio (default true). */
  advertise?: boolean;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Anything bigger is dropped by the socket itself; messages between MAX_MESSAGE_BYTES and this get a typed error. */
const HARD_FRAME_LIMIT = 8 * MAX_MESSAGE_BYTES;

const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Web mode: serves the built renderer and the StudioApi over a WebSocket, on 127.0.0.1 only. Every API and asset
 * request needs the per-launch token from the printed URL; WebSocket upgrades from a foreign Origin are refused.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  /** DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 still sends `Host: evil.example`. */
  const hostAllowed = (req: http.IncomingMessage) => allowedHosts().has((req.headers.host ?? '').toLowerCase());

  const server = http.createServer((req, res) => {
    try {
      handleRequest(req, res);
    } catch (err) {
      // A request never stops the server: whatever a handler missed becomes a 500 (or a cut response).
      console.error(`web mode: ${req.method} ${String(req.url).slice(0, 200)} failed:`, err);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal error\n');
      else res.destroy();
    }
  });

  function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!hostAllowed(req)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('This studio answers only to 127.0.0.1 and localhost on its own port.\n');
      req.resume();
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (url.pathname === '/upload') {
      if (req.method !== 'PUT' && req.method !== 'POST') {
        res.writeHead(405, { Allow: 'PUT, POST' }).end();
        req.resume();
        return;
      }
      // Same-origin pages only: a foreign page could otherwise push files with a guessed token.
      const origin = req.headers.origin;
      if (!tokenMatches(token, url.searchParams.get('token')) || (origin !== undefined && !allowedOrigins().has(origin))) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'Missing or wrong token.' } }));
        req.resume();
        return;
      }
      handleUpload(req, res, opts.host.services.library.dir, url.searchParams.get('name') ?? 'upload').catch((err) => {
        console.error('web mode: upload failed:', err);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      req.resume();
      return;
    }
    const segments = decodeUrlPath(url.pathname);
    if (!segments) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Malformed path\n');
      return;
    }
    if (segments[0] === 'files' && url.pathname.startsWith('/files/')) {
      serveAsset(req, res, url, segments.slice(1));
      return;
    }
    if (segments[0] === 'exports' && url.pathname.startsWith('/exports/')) {
      if (!tokenMatches(token, url.searchParams.get('token'))) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Missing or wrong token\n');
        return;
      }
      if (segments.length !== 3) {
        res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Expected /exports/<project id>/<export id>.zip\n');
        return;
      }
      serveExportZip(req, res, opts.host.services, segments[1]!, segments[2]!);
      return;
    }
    const rel = segments.length ? segments.join('/') : 'index.html';
    const headers = { 'Content-Security-Policy': CSP, 'Cache-Control': rel === 'index.html' ? 'no-store' : 'public, max-age=3600', 'Referrer-Policy': 'no-referrer' };
    if (sendFile(req, res, opts.rendererDir, rel, headers)) return;
    if (!fs.existsSync(path.join(opts.rendererDir, 'index.html'))) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The studio UI is not built. Run `npm run build`, then start web mode again.\n');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
  }

  /** `/files/<projectId>/<path inside the project>?token=…`: files of a project, for <img>/<video>/fetch. A folder
   * export comes whole as a zip from `/exports/<projectId>/<exportId>.zip?token=…` (export-zip.ts). */
  function serveAsset(req: http.IncomingMessage, res: http.ServerResponse, url: URL, segments: string[]): void {
    if (!tokenMatches(token, url.searchParams.get('token'))) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Missing or wrong token\n');
      return;
    }
    const [projectId, ...rest] = segments;
    const rel = rest.join('/');
    if (!ProjectId.safeParse(projectId).success || !rel) {
      res.writeHead(400).end();
      return;
    }
    let root: string;
    try {
      root = opts.host.services.projects.folderOf(projectId!);
    } catch {
      res.writeHead(404).end();
      return;
    }
    if (!sendFile(req, res, root, rel, { 'Cache-Control': 'private, max-age=60' })) res.writeHead(404).end();
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_LIMIT });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const origin = req.headers.origin;
    if (url.pathname !== '/api' || !hostAllowed(req) || (origin !== undefined && !allowedOrigins().has(origin))) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A wrong token gets a close code the page can explain, rather than a silent refusal.
      if (!tokenMatches(token, url.searchParams.get('token'))) {
        ws.close(4401, 'Wrong or missing token: open the URL that web mode printed');
        return;
      }
      wss.emit('connection', ws, req);
    });
  });

  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const onHostEvent = (event: string, payload: unknown) => {
    if (event === 'library.changed' && opts.advertise !== false) opts.host.services.library.advertiseEndpoint({ port, token });
    for (const ws of clients) send(ws, { type: 'event', event, payload });
  };
  opts.host.on('event', onHostEvent);

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      handleMessage(ws, data, isBinary).catch((err) => {
        console.error('web mode: a message could not be handled:', err);
        send(ws, { type: 'response', id: null, ok: false, error: { code: 'INTERNAL', message: 'The request could not be handled.' } });
      });
    });
  });

  async function handleMessage(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    const size = Array.isArray(data) ? data.reduce((s, b) => s + b.length, 0) : (data as Buffer).byteLength;
    if (size > MAX_MESSAGE_BYTES) {
      send(ws, { type: 'response', id: null, ok: false, error: { code: 'MESSAGE_TOO_LARGE', message: `Message of ${size} bytes refused: the limit is ${MAX_MESSAGE_BYTES} bytes.` } });
      return;
    }
    if (isBinary) {
      send(ws, { type: 'response', id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'Binary messages are not part of the StudioApi; send JSON text.' } });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      send(ws, { type: 'response', id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'The message is not valid JSON.' } });
      return;
    }
    const req = RequestMessage.safeParse(json);
    if (!req.success) {
      const given = (json as { id?: unknown } | null)?.id;
      // echoed only when it is one a client could have sent (the wire's ids are safe integers)
      const id = Number.isSafeInteger(given) ? (given as number) : null;
      send(ws, { type: 'response', id, ok: false, error: { code: 'BAD_REQUEST', message: 'The message is not a StudioApi request: expected {type:"request", id, method, params}.' } });
      return;
    }
    const outcome = await opts.host.dispatch(req.data.method, req.data.params);
    send(ws, outcome.ok ? { type: 'response', id: req.data.id, ok: true, result: outcome.result } : { type: 'response', id: req.data.id, ok: false, error: outcome.error });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  if (opts.advertise !== false) opts.host.services.library.advertiseEndpoint({ port, token });

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      opts.host.off('event', onHostEvent);
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
