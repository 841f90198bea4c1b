/**
 * Which tracking path is faster for the Live page (issue 8, deliverable 2): measures both on this machine.
 *
 *  (b) services host — what the studio uses: web mode started from the built CLI (`npm run build` first), frames sent
 *      over the StudioApi WebSocket to `live.track` as base64 raw RGB at 480×360 (as the page sends them; `host`) and
 *      as base64 JPEG at 640×480, quality 80 (the page's earlier format; `hostJpeg640`); round trip per frame, and the
 *      host's own decode / tracker times from the result.
 *  (a) renderer side — onnxruntime-web in Chromium (the e2e browser) on the same converted models: the per-frame
 *      model work of the tracker (face mesh 1×192² + iris 2×64², plus the detector 1×256² every 30th frame), WASM
 *      backend single-threaded (the studio's pages are not cross-origin isolated, so no SharedArrayBuffer threads)
 *      and the WebGPU backend. Model time only: the page would still add the crops, decoding and the same smoothing.
 *
 * onnxruntime-web is not a dependency of the studio; point ORT_WEB_DIR at an install's `dist/` folder
 * (`npm install --prefix /tmp/ortweb onnxruntime-web`), else part (a) is skipped with a note.
 * Usage: node bench/run.mjs live-tracking [frames=60]. Prints one JSON object last.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import jpeg from 'jpeg-js';
import WebSocket from 'ws';
import { buildModels, DEFAULT_MODELS_DIR } from '../../native/models/build';
import { readImage } from '../../src/main/services/tracking/image';
import type { RgbImage } from '../../native/tracking/types';

const n = Number(process.argv[2] ?? 60);
const root = path.resolve(import.meta.dirname, '../..');
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!.toFixed(1));
};
const summary = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95) });

buildModels(DEFAULT_MODELS_DIR);
const photo = readImage(path.join(root, 'node_modules/@vladmandic/face-api/demo/sample3.jpg'));
/** 640×480 windows of the photo (downscaled ×0.5 around the right-hand face), drifting so the face moves. */
function frame(i: number): RgbImage {
  const W = 640, H = 480, x0 = 1240 + Math.round(30 * Math.sin(i / 8)), y0 = 120 + Math.round(20 * Math.cos(i / 11));
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const s = ((y0 + y) * photo.width + x0 + x) * 3;
      data.set(photo.data.subarray(s, s + 3), (y * W + x) * 3);
    }
  return { width: W, height: H, data, channels: 3 };
}
const frames = Array.from({ length: n }, (_, i) => frame(i));
const jpegs = frames.map((f) => {
  const rgba = Buffer.alloc(f.width * f.height * 4);
  for (let k = 0; k < f.width * f.height; k++) {
    rgba[4 * k] = f.data[3 * k]!;
    rgba[4 * k + 1] = f.data[3 * k + 1]!;
    rgba[4 * k + 2] = f.data[3 * k + 2]!;
    rgba[4 * k + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: f.width, height: f.height }, 80).data.toString('base64');
});
/** The same frames as the page sends raw RGB: downscaled ×0.75 to 480×360 (box filter over the 4:3 grid, nearest). */
const raws = frames.map((f) => {
  const W = 480, H = 360, rgb = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const s = (Math.floor(y / 0.75) * f.width + Math.floor(x / 0.75)) * 3;
      rgb.set(f.data.subarray(s, s + 3), (y * W + x) * 3);
    }
  return { rgb: rgb.toString('base64'), width: W, height: H };
});
const result: Record<string, unknown> = { bench: 'live-tracking', frames: n, frameSize: '640x480', rawFrameSize: '480x360', rawKB: Number((raws[0]!.rgb.length / 1024).toFixed(1)), jpegKB: Number((jpegs.reduce((s, j) => s + j.length, 0) / n / 1024).toFixed(1)), cpus: os.availableParallelism(), load: os.loadavg()[0] };

// (b) the services host through web mode's WebSocket.
{
  const cli = path.join(root, 'out/main/cli.js');
  if (!fs.existsSync(cli)) throw new Error('Build the studio first: npm run build');
  const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-live-'));
  const child = spawn(process.execPath, [cli, '--library', lib, '--json', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const info = await new Promise<{ url: string; port: number }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child.once('exit', (code) => reject(new Error(`web mode exited with ${code}`)));
    });
    const token = new URL(info.url).searchParams.get('token')!;
    const ws = new WebSocket(`ws://127.0.0.1:${info.port}/api?token=${encodeURIComponent(token)}`, { origin: `http://127.0.0.1:${info.port}` });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let id = 0;
    const pending = new Map<number, (m: { ok: boolean; result: Record<string, number | boolean>; error?: { message: string } }) => void>();
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'response') pending.get(m.id)?.(m);
    });
    const call = (method: string, params: unknown) =>
      new Promise<Record<string, number | boolean>>((resolve, reject) => {
        const mid = ++id;
        pending.set(mid, (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error?.message))));
        ws.send(JSON.stringify({ type: 'request', id: mid, method, params }));
      });
    /** One path: `payload(i)` is frame i's image part of the call. */
    const measure = async (name: string, payload: (i: number) => Record<string, unknown>) => {
      const session = `bench0000live-${name}`;
      await call('live.track', { session, ...payload(0), time: 0 }); // loads the models
      const rt: number[] = [], host: number[] = [], decode: number[] = [], track: number[] = [];
      let tracked = 0;
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await call('live.track', { session, ...payload(i), time: 33.3 * (i + 1) });
        rt.push(performance.now() - t0);
        host.push(r.hostMs as number);
        decode.push(r.decodeMs as number);
        track.push(r.trackMs as number);
        if (r.tracked) tracked++;
      }
      await call('live.close', { session });
      console.error(`live-tracking: host path (${name}) round trip p50 ${pct(rt, 50)} ms, p95 ${pct(rt, 95)} ms (decode ${pct(decode, 50)}, tracker ${pct(track, 50)})`);
      return { roundTripMs: summary(rt), hostMs: summary(host), decodeMs: summary(decode), trackerMs: summary(track), tracked: tracked / n, fps: Number((1000 / pct(rt, 50)).toFixed(1)) };
    };
    // raw RGB 480×360 is what the page sends; JPEG 640×480 what it sent before (kept as the comparison).
    result.host = await measure('rgb-480', (i) => raws[i]!);
    result.hostJpeg640 = await measure('jpeg-640', (i) => ({ jpeg: jpegs[i] }));
    ws.close();
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(lib, { recursive: true, force: true });
  }
}

// (a) onnxruntime-web in Chromium.
const ortDir = process.env.ORT_WEB_DIR ?? path.join(root, 'node_modules/onnxruntime-web/dist');
if (!fs.existsSync(path.join(ortDir, 'ort.min.mjs'))) {
  result.web = { skipped: `onnxruntime-web not found at ${ortDir} (set ORT_WEB_DIR)` };
} else {
  const MIME: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.html': 'text/html' };
  const page = `<!doctype html><script type="module">
import * as ort from '/ort/ort.all.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
window.runBench = async (ep, n) => {
  const make = (name) => ort.InferenceSession.create('/models/' + name + '.onnx', { executionProviders: [ep], graphOptimizationLevel: 'all' });
  const [det, mesh, iris] = await Promise.all([make('blazeface'), make('facemesh'), make('iris')]);
  const rnd = (len) => { const a = new Float32Array(len); let s = 1; for (let i = 0; i < len; i++) { s = (s * 16807) % 2147483647; a[i] = (s / 2147483647); } return a; };
  const inputs = { det: rnd(256 * 256 * 3).map((v) => v * 2 - 1), mesh: rnd(192 * 192 * 3), iris: rnd(2 * 64 * 64 * 3) };
  const run = async (s, data, shape) => { const t = performance.now(); await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', data, shape) }); return performance.now() - t; };
  const out = { det: [], mesh: [], iris: [] };
  for (let i = 0; i < 3; i++) { await run(det, inputs.det, [1, 256, 256, 3]); await run(mesh, inputs.mesh, [1, 192, 192, 3]); await run(iris, inputs.iris, [2, 64, 64, 3]); }
  for (let i = 0; i < n; i++) {
    out.mesh.push(await run(mesh, inputs.mesh, [1, 192, 192, 3]));
    out.iris.push(await run(iris, inputs.iris, [2, 64, 64, 3]));
    if (i % 10 === 0) out.det.push(await run(det, inputs.det, [1, 256, 256, 3]));
  }
  return out;
};
window.ready = true;
</script>`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let file: string | null = null;
    if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    if (url.pathname.startsWith('/ort/')) file = path.join(ortDir, path.basename(url.pathname));
    if (url.pathname.startsWith('/models/')) file = path.join(DEFAULT_MODELS_DIR, path.basename(url.pathname));
    if (!file || !fs.existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking'] });
  try {
    const p = await browser.newPage();
    await p.goto(`http://127.0.0.1:${port}/`);
    await p.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    const web: Record<string, unknown> = {};
    for (const ep of ['wasm', 'webgpu']) {
      try {
        const r = await p.evaluate(([ep, n]) => (globalThis as unknown as { runBench: (ep: string, n: number) => Promise<{ det: number[]; mesh: number[]; iris: number[] }> }).runBench(ep, n), [ep, Math.min(n, 30)] as const);
        const perFrame = r.mesh.map((m, i) => m + r.iris[i]! + pct(r.det, 50) / 30);
        web[ep] = { meshMs: summary(r.mesh), irisMs: summary(r.iris), detectorMs: summary(r.det), perFrameModelMs: summary(perFrame), fps: Number((1000 / pct(perFrame, 50)).toFixed(1)) };
        console.error(`live-tracking: onnxruntime-web ${ep}: per-frame model time p50 ${pct(perFrame, 50)} ms`);
      } catch (err) {
        web[ep] = { failed: (err as Error).message.split('\n')[0] };
      }
    }
    result.web = web;
  } finally {
    await browser.close();
    server.close();
  }
}
console.log(JSON.stringify(result));
