import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES } from '@shared/api/wire';
import { StudioHost } from '../host/studio-host';
import { useTempDirs } from '../testing/temp-dir';
import { resolveUpload } from './upload';
import { startWebServer, type WebServer } from './web-server';

const tempDir = useTempDirs();
let host: StudioHost;
let server: WebServer;
let rendererDir: string;

beforeEach(async () => {
  rendererDir = tempDir('renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Avatar Studio</title>');
  host = StudioHost.open({ libraryDir: tempDir(), frontDoor: 'web' });
  server = await startWebServer({ host, rendererDir });
});
afterEach(async () => {
  await server.close();
  await host.close();
});

const wsUrl = (token = server.token) => `ws://127.0.0.1:${server.port}/api?token=${encodeURIComponent(token)}`;
const origin = () => `http://127.0.0.1:${server.port}`;

/** An open, authorised connection that collects every message it receives. */
async function connect(): Promise<{ ws: WebSocket; next: () => Promise<any>; messages: any[] }> {
  const ws = new WebSocket(wsUrl(), { headers: { Origin: origin() } });
  const messages: any[] = [];
  const waiters: ((m: any) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const next = () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiters.push(r)));
  return { ws, next, messages };
}

describe('web mode server', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=.{20,}$`));
  });

  it('serves the renderer with a strict CSP', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('Avatar Studio');
    expect((await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd`)).status).toBe(400);
  });

  it('answers calls and pushes events to every client', async () => {
    const a = await connect();
    const b = await connect();
    a.ws.send(JSON.stringify({ type: 'request', id: 1, method: 'projects.create', params: { name: 'Over the wire' } }));
    const got = [await a.next(), await a.next()];
    const res = got.find((m) => m.type === 'response');
    expect(res).toMatchObject({ type: 'response', id: 1, ok: true, result: { name: 'Over the wire' } });
    expect(got.find((m) => m.type === 'event')).toMatchObject({ type: 'event', event: 'projects.changed' });
    expect(await b.next()).toMatchObject({ type: 'event', event: 'projects.changed', payload: { ids: [res.result.id] } });
    a.ws.close();
    b.ws.close();
  });

  it('answers malformed, unknown, invalid and oversized messages with typed errors and keeps serving', async () => {
    const { ws, next } = await connect();
    ws.send('{not json');
    expect(await next()).toMatchObject({ ok: false, id: null, error: { code: 'BAD_REQUEST' } });
    ws.send(JSON.stringify({ type: 'request', id: 2, method: 'projects.explode', params: {} }));
    expect(await next()).toMatchObject({ ok: false, id: 2, error: { code: 'UNKNOWN_METHOD' } });
    ws.send(JSON.stringify({ type: 'request', id: 3, method: 'projects.create', params: { name: '   ' } }));
    const invalid = await next();
    expect(invalid).toMatchObject({ ok: false, id: 3, error: { code: 'BAD_REQUEST' } });
    expect(invalid.error.message).toMatch(/name/);
    ws.send(JSON.stringify({ type: 'request', id: 4, method: 'projects.create', params: { name: 'x', extra: 1 } }));
    expect(await next()).toMatchObject({ ok: false, id: 4, error: { code: 'BAD_REQUEST' } });
    ws.send(JSON.stringify({ id: 5, hello: 'world' }));
    expect(await next()).toMatchObject({ ok: false, id: 5, error: { code: 'BAD_REQUEST' } });
    ws.send('x'.repeat(MAX_MESSAGE_BYTES + 10));
    expect(await next()).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await next()).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    ws.send(JSON.stringify({ type: 'request', id: 6, method: 'projects.list', params: {} }));
    expect(await next()).toMatchObject({ ok: true, id: 6, result: [] });
    ws.close();
  });

  it('closes connections with a wrong token, refuses a foreign Origin', async () => {
    const bad = new WebSocket(wsUrl('wrong-token'), { headers: { Origin: origin() } });
    const code = await new Promise<number>((resolve) => bad.on('close', (c) => resolve(c)));
    expect(code).toBe(4401);

    const foreign = new WebSocket(wsUrl(), { headers: { Origin: 'https://evil.example' } });
    const status = await new Promise<number>((resolve) => {
      foreign.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      foreign.on('error', () => undefined);
    });
    expect(status).toBe(403);

    const { ws, next } = await connect();
    ws.send(JSON.stringify({ type: 'request', id: 1, method: 'app.info' }));
    expect(await next()).toMatchObject({ ok: true, result: { frontDoor: 'web' } });
    ws.close();
  });

  it('serves project files only with the token and only inside the project', async () => {
    const p = host.services.projects.create('Files');
    host.services.blobs.put(p.id, 'thumbs/a.png', Buffer.from('png-bytes'));
    const base = `http://127.0.0.1:${server.port}/files/${p.id}`;
    expect((await fetch(`${base}/thumbs/a.png`)).status).toBe(401);
    const ok = await fetch(`${base}/thumbs/a.png?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(await ok.text()).toBe('png-bytes');
    const ranged = await fetch(`${base}/thumbs/a.png?token=${server.token}`, { headers: { Range: 'bytes=0-2' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('png');
    expect((await fetch(`${base}/..%2F..%2Flibrary.sqlite?token=${server.token}`)).status).toBe(400);
    // the URL parser itself turns %2e%2e into .. and climbs: this is /library.sqlite of the renderer, which has none
    expect((await rawGet(`/files/${p.id}/%2e%2e/%2e%2e/library.sqlite?token=${server.token}`)).status).toBe(404);
  });

  it('accepts uploads with the token from its own origin and stores them for import', async () => {
    const url = (token: string, name: string) => `http://127.0.0.1:${server.port}/upload?token=${token}&name=${encodeURIComponent(name)}`;
    const refused = await fetch(url('wrong', 'a.mp4'), { method: 'PUT', body: 'x' });
    expect(refused.status).toBe(401);
    const foreign = await fetch(url(server.token, 'a.mp4'), { method: 'PUT', body: 'x', headers: { Origin: 'https://evil.example' } });
    expect(foreign.status).toBe(401);
    const res = await fetch(url(server.token, '../../escape me.mp4'), { method: 'PUT', body: Buffer.alloc(300_000, 7), headers: { Origin: origin() } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { uploadId: string; name: string; size: number };
    expect(body).toMatchObject({ name: 'escape me.mp4', size: 300_000 });
    const stored = path.join(host.services.library.dir, 'uploads', body.uploadId, 'escape me.mp4');
    expect(fs.statSync(stored).size).toBe(300_000);
  });
});

/** A raw HTTP request (fetch cannot set Host or send a malformed path), answered with its status and body. */
function rawGet(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const openDescriptors = () => fs.readdirSync('/proc/self/fd').length;

async function until(what: string, done: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('web mode survives hostile and careless requests', () => {
  it('answers a malformed percent-encoding with 400 and keeps serving (it used to stop the process)', async () => {
    const p = host.services.projects.create('Bad paths');
    expect((await rawGet('/%E0%A4%A')).status).toBe(400);
    expect((await rawGet(`/files/${p.id}/%E0%A4%A?token=${server.token}`)).status).toBe(400);
    expect((await rawGet('/assets/%')).status).toBe(400);
    expect((await rawGet('/')).status).toBe(200);
  });

  it('refuses a Host that is not its own loopback address (DNS rebinding), over HTTP and WebSocket', async () => {
    expect((await rawGet('/', { Host: `evil.example:${server.port}` })).status).toBe(421);
    expect((await rawGet('/', { Host: `127.0.0.1:${server.port + 1}` })).status).toBe(421);
    expect((await rawGet('/', { Host: `localhost:${server.port}` })).status).toBe(200);
    const rebound = new WebSocket(wsUrl(), { headers: { Origin: origin(), Host: `evil.example:${server.port}` } });
    const status = await new Promise<number>((resolve) => {
      rebound.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      rebound.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });

  it('serves a file that is deleted between the check and the read, whole, without stopping', async () => {
    const p = host.services.projects.create('Vanishing');
    host.services.blobs.put(p.id, 'frames/f.jpg', Buffer.alloc(200_000, 3));
    const file = path.join(host.services.projects.folderOf(p.id), 'frames', 'f.jpg');
    const original = fs.createReadStream;
    const spy = vi.spyOn(fs, 'createReadStream').mockImplementation(((...args: Parameters<typeof fs.createReadStream>) => {
      fs.rmSync(file, { force: true }); // the file disappears just before the bytes are read
      return original.apply(fs, args);
    }) as typeof fs.createReadStream);
    try {
      const res = await rawGet(`/files/${p.id}/frames/f.jpg?token=${server.token}`);
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(200_000);
    } finally {
      spy.mockRestore();
    }
    expect((await rawGet(`/files/${p.id}/frames/f.jpg?token=${server.token}`)).status).toBe(404);
    expect((await rawGet('/')).status).toBe(200);
  });

  it('closes the file of every aborted download (a scrubbing video aborts requests all the time)', async () => {
    const p = host.services.projects.create('Scrubbing');
    host.services.blobs.put(p.id, 'video/clip.mp4', Buffer.alloc(8 * 1024 * 1024, 1));
    const before = openDescriptors();
    for (let i = 0; i < 100; i++) {
      await new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: server.port, path: `/files/${p.id}/video/clip.mp4?token=${server.token}`, headers: { Range: `bytes=${i * 1000}-` } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => resolve());
      });
    }
    await until('the aborted downloads have released their descriptors', () => openDescriptors() <= before + 5);
  });

  it('does not follow a symlink in a project folder that leads outside it', async () => {
    const p = host.services.projects.create('Links');
    const root = host.services.projects.folderOf(p.id);
    const outside = tempDir('outside-');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.mkdirSync(path.join(root, 'thumbs'), { recursive: true });
    fs.writeFileSync(path.join(root, 'thumbs', 'real.png'), 'png');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'thumbs', 'leak.png'));
    fs.symlinkSync(outside, path.join(root, 'outdir'));
    fs.symlinkSync(path.join(root, 'thumbs', 'real.png'), path.join(root, 'thumbs', 'alias.png'));
    expect((await rawGet(`/files/${p.id}/thumbs/leak.png?token=${server.token}`)).status).toBe(404);
    expect((await rawGet(`/files/${p.id}/outdir/secret.txt?token=${server.token}`)).status).toBe(404);
    expect(await rawGet(`/files/${p.id}/thumbs/alias.png?token=${server.token}`)).toEqual({ status: 200, body: 'png' });
  });

  it('stores hostile upload names inside the upload folder, visible, at most 255 bytes, extension kept', async () => {
    const put = async (name: string) => {
      const res = await fetch(`http://127.0.0.1:${server.port}/upload?token=${server.token}&name=${encodeURIComponent(name)}`, { method: 'PUT', body: 'data', headers: { Origin: origin() } });
      expect(res.status, name).toBe(200);
      return (await res.json()) as { uploadId: string; name: string };
    };
    const long = await put(`${'動画ファイル'.repeat(60)}.mp4`);
    expect(Buffer.byteLength(long.name)).toBeLessThanOrEqual(255);
    expect(long.name.endsWith('.mp4')).toBe(true);
    const dotted = await put('.hidden clip.mov');
    expect(dotted.name).toBe('hidden clip.mov');
    expect((await put('..\ufeff.mp4')).name).toBe('upload.mp4'); // found by bench/fuzz: it came out as ".mp4"
    expect((await put('clip.mp4\t')).name).toBe('clip.mp4');
    for (const u of [long, dotted, await put('..'), await put('a/../../b.webm'), await put(`${'😀'.repeat(300)}.mkv`), await put('x\u202egnp.exe')]) {
      const file = resolveUpload(host.services.library.dir, u.uploadId);
      expect(file, u.name).toBe(path.join(fs.realpathSync(host.services.library.dir), 'uploads', u.uploadId, u.name));
      expect(fs.readFileSync(file!, 'utf8')).toBe('data');
    }
  });
});
