import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES } from '@shared/api/wire';
import { StudioHost } from '../host/studio-host';
import { useTempDirs } from '../testing/temp-dir';
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
    expect((await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
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
    expect((await fetch(`${base}/..%2F..%2Flibrary.sqlite?token=${server.token}`)).status).toBe(404);
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
