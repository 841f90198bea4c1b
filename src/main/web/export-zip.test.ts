import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StudioHost } from '../host/studio-host';
import { recordExport } from '../services/export/export-jobs';
import { newId } from '../services/library/ids';
import { useTempDirs } from '../testing/temp-dir';
import { contentDisposition } from './export-zip';
import { startWebServer, type WebServer } from './web-server';

const tempDir = useTempDirs();
let host: StudioHost;
let server: WebServer;

beforeEach(async () => {
  const rendererDir = tempDir('renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Avatar Studio</title>');
  host = StudioHost.open({ libraryDir: tempDir(), frontDoor: 'web' });
  server = await startWebServer({ host, rendererDir, advertise: false });
});
afterEach(async () => {
  await server.close();
  await host.close();
});

/** An avatar row (the exports table refers to one) in project `projectId`. */
function avatarRow(projectId: string): string {
  const id = newId();
  host.services.library.db
    .prepare('INSERT INTO avatars (id, project_id, name, version, head_model, checkpoint_blob_id, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(id, projectId, 'Anna', 1, 'open-head', null, '{}', Date.now());
  return id;
}

/** Writes `files` under `<project>/<rel>` and records it as a `format` export of the project, as the job's commit does. */
function craftExport(projectId: string, rel: string, format: 'player' | 'ply' | 'maps', files: Record<string, Buffer | string> | Buffer): string {
  const root = host.services.projects.folderOf(projectId);
  const target = path.join(root, rel);
  if (Buffer.isBuffer(files)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, files);
  } else
    for (const [name, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(target, name)), { recursive: true });
      fs.writeFileSync(path.join(target, name), bytes);
    }
  const id = newId();
  recordExport(host.services, { id, projectId, avatarId: avatarRow(projectId), format, settings: { frame: null, expression: null }, target, size: 1 });
  return id;
}

function get(pathAndQuery: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const zipUrl = (projectId: string, exportId: string, token = server.token) => `/exports/${projectId}/${exportId}.zip?token=${token}`;

describe('web mode: a folder export downloads as one zip', () => {
  it('zips a recorded web player folder with its name, every file byte for byte, links left out', async () => {
    const p = host.services.projects.create('Zip');
    const wasm = Buffer.alloc(900_000);
    for (let i = 0; i < wasm.length; i++) wasm[i] = (i * 2654435761) >>> 24; // not very compressible
    const files = {
      'index.html': '<!doctype html><title>Player</title>',
      'assets/player-abc.js': 'console.log("player");\n'.repeat(2000),
      'assets/ort-wasm.wasm': wasm,
      'models/blazeface.onnx': Buffer.alloc(50_000, 7),
      'avatar.avatar': Buffer.from('AVTR'.repeat(5000)),
      'README.txt': 'Serve this folder with any static server.\n',
    };
    const id = craftExport(p.id, 'exports/Anna-v1-player', 'player', files);
    const outside = tempDir('outside-');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(host.services.projects.folderOf(p.id), 'exports/Anna-v1-player/leak.txt'));
    fs.symlinkSync(outside, path.join(host.services.projects.folderOf(p.id), 'exports/Anna-v1-player/outdir'));

    const res = await get(zipUrl(p.id, id));
    expect(res.status, res.body.toString()).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Anna-v1-player.zip"; filename*=UTF-8''Anna-v1-player.zip`);
    const unzipped = unzipSync(new Uint8Array(res.body));
    expect(Object.keys(unzipped).sort()).toEqual(Object.keys(files).sort());
    for (const [name, bytes] of Object.entries(files)) expect(Buffer.from(unzipped[name]!).equals(Buffer.from(bytes)), name).toBe(true);
    expect(strFromU8(unzipped['README.txt']!)).toContain('static server');
    // text was deflated, the .onnx stored: the archive is smaller than the files
    expect(res.body.length).toBeLessThan(Object.values(files).reduce((n, b) => n + Buffer.byteLength(b), 0));

    const head = await get(zipUrl(p.id, id), 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('application/zip');
    expect(head.body.length).toBe(0);
  });

  it('refuses what is not a recorded folder export of that project with a clear 4xx, and keeps serving', async () => {
    const a = host.services.projects.create('A');
    const b = host.services.projects.create('B');
    const ofA = craftExport(a.id, 'exports/a-player', 'player', { 'index.html': 'a' });
    const ofB = craftExport(b.id, 'exports/b-maps', 'maps', { 'colour.png': 'png' });
    const file = craftExport(a.id, 'exports/a.ply', 'ply', Buffer.from('ply'));

    expect((await get(zipUrl(a.id, ofA, 'wrong'))).status).toBe(401);
    expect((await get(`/exports/${a.id}/${ofA}.zip`)).status).toBe(401);

    const unknown = await get(zipUrl(a.id, newId()));
    expect(unknown.status).toBe(404);
    expect(unknown.body.toString()).toMatch(/No such export in this project/);
    // an export of another project reads as unknown
    const other = await get(zipUrl(a.id, ofB));
    expect(other.status).toBe(404);
    expect(other.body.toString()).toMatch(/No such export in this project/);
    expect((await get(zipUrl(b.id, ofB))).status).toBe(200);
    expect((await get(zipUrl(newId(), ofA))).status).toBe(404);

    // path-like names never reach the file system
    for (const bad of [`/exports/${a.id}/..%2Fx.zip`, `/exports/${a.id}/%2e%2e%2Fx.zip`, `/exports/${a.id}/../x.zip`, `/exports/${a.id}/x.zip`, `/exports/${a.id}/exports%5Ca-player.zip`, `/exports/${a.id}/${ofA}`, `/exports/${a.id}/${ofA}.zip/more`, `/exports/not-a-project/${ofA}.zip`, `/exports/${a.id}/%E0%A4%A.zip`, '/exports/']) {
      const r = await get(`${bad}?token=${server.token}`);
      expect(r.status, bad).toBeGreaterThanOrEqual(400);
      expect(r.status, bad).toBeLessThan(500);
    }
    expect((await get(`/exports/${a.id}/..%2Fx.zip?token=${server.token}`)).status).toBe(400);

    const single = await get(zipUrl(a.id, file));
    expect(single.status).toBe(409);
    expect(single.body.toString()).toMatch(/single file/);

    // a record pointing outside the project (the API accepts absolute targets) is not served
    const outside = tempDir('elsewhere-');
    fs.writeFileSync(path.join(outside, 'index.html'), 'x');
    const abs = newId();
    recordExport(host.services, { id: abs, projectId: a.id, avatarId: avatarRow(a.id), format: 'player', settings: {}, target: outside, size: 1 });
    const absRes = await get(zipUrl(a.id, abs));
    expect(absRes.status).toBe(409);
    expect(absRes.body.toString()).toMatch(/outside the project folder/);

    // a recorded folder that became a link leading outside is refused
    fs.rmSync(path.join(host.services.projects.folderOf(a.id), 'exports/a-player'), { recursive: true });
    fs.symlinkSync(outside, path.join(host.services.projects.folderOf(a.id), 'exports/a-player'));
    expect((await get(zipUrl(a.id, ofA))).status).toBe(404);
    fs.rmSync(path.join(host.services.projects.folderOf(a.id), 'exports/a-player'));
    const gone = await get(zipUrl(a.id, ofA));
    expect(gone.status).toBe(404);
    expect(gone.body.toString()).toMatch(/gone/);

    expect((await get('/')).status).toBe(200);
    expect((await get(zipUrl(b.id, ofB))).status).toBe(200);
  });

  it('reads no faster than the client takes it, stops when it goes away and releases every file', async () => {
    const p = host.services.projects.create('Aborts');
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    // .png: stored, not deflated, so the test measures the streaming rather than the compressor
    const id = craftExport(p.id, 'exports/big-png', 'maps', { 'a.png': big, 'b.png': big, 'c.png': big, 'd.png': big });
    const read = vi.spyOn(fs, 'createReadStream');
    const bytesRead = () => read.mock.results.reduce((n, r) => n + ((r.value as fs.ReadStream).bytesRead ?? 0), 0);
    try {
      // a client that takes nothing: the server stops reading once the socket is full (32 MiB would be read otherwise)
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: server.port, path: zipUrl(p.id, id) }, (res) => {
          res.pause();
          setTimeout(() => {
            try {
              expect(bytesRead()).toBeLessThan(20 * 1024 * 1024);
              resolve();
            } catch (e) {
              reject(e);
            } finally {
              req.destroy();
            }
          }, 1500);
        });
        req.on('error', () => undefined);
      });
    } finally {
      read.mockRestore();
    }

    const openDescriptors = () => fs.readdirSync('/proc/self/fd').length;
    const before = openDescriptors();
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: server.port, path: zipUrl(p.id, id) }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => resolve());
      });
    }
    const end = Date.now() + 20_000;
    while (openDescriptors() > before + 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(openDescriptors()).toBeLessThanOrEqual(before + 5);
    const whole = await get(zipUrl(p.id, id));
    expect(whole.status).toBe(200);
    const unzipped = unzipSync(new Uint8Array(whole.body));
    expect(Object.keys(unzipped).sort()).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
    expect(Buffer.from(unzipped['d.png']!).equals(big)).toBe(true);
  });

  it('names the download safely', () => {
    expect(contentDisposition('Anna-v1-player.zip')).toBe(`attachment; filename="Anna-v1-player.zip"; filename*=UTF-8''Anna-v1-player.zip`);
    expect(contentDisposition('Ånna "quoted" (1)\r\n.zip')).toBe(`attachment; filename="_nna _quoted_ (1)__.zip"; filename*=UTF-8''%C3%85nna%20_quoted_%20%281%29__.zip`);
    expect(contentDisposition('../../x\\y.zip')).toMatch(/^attachment; filename="y\.zip"/);
  });
});
