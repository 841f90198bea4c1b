/**
 * Soak benchmark: web mode under a bounded, mixed load on 127.0.0.1 for a few minutes, to see that the server's open
 * file descriptors and memory stay flat.
 *
 *   npm run bench:soak [-- --minutes 3 --concurrency 8 --warmup 10 --sample 5 --crash-probes end|during|off]
 *
 * The server (a StudioHost on a fresh temporary library + startWebServer with the built renderer, bench/soak/
 * server.ts) runs in a child process so that /proc/<pid>/fd and VmRSS are its own. Set-up: a project, a generated
 * noisy 720p video uploaded through `PUT /upload` and imported with `captures.import`. Load, all at once:
 *   scrub     `concurrency` clients GETting frame and thumbnail JPEGs of the capture (and now and then a big renderer
 *             asset) with Range headers, most of them aborted mid-response or before it, as a scrubbing timeline does
 *   upload    a small upload every few seconds, one in four aborted half-way through the body
 *   api       three WebSockets calling read methods of the StudioApi (projects.list, captures.frames, jobs.list, …)
 *   job       a job running most of the time: project duplicates (then trashed and the trash emptied: two jobs) and
 *             re-imports of a small uploaded video (then deleted), each waited on through job.updated events
 *   malformed every few seconds one malformed request (bad JSON or envelope over the socket, wrong token, foreign
 *             Origin, path traversal, unsatisfiable range, …), each expected to get its typed refusal
 * Descriptors and RSS are sampled every few seconds; `start` is measured after set-up and a warm-up (JIT, caches,
 * SQLite pages) and `end` after the run, both quiesced: new work held back, work in flight (including the job)
 * drained, a full GC in the server. `fds.diffByTarget` says what the extra descriptors at the end point at (frame
 * JPEGs, renderer assets, sockets, …). Requests that crashed the server at commit 8e02a35 (bad percent-encoding in a
 * path: an uncaught URIError) are sent after the end sample by default (`--crash-probes end`), each against a live
 * server (restarted if the previous one died), so a crash does not spoil the measurement; `--crash-probes during`
 * mixes them into the load (the run then stops where the server dies, and reports the last sample as the end).
 * Progress goes to stderr; the last stdout line is one JSON object. Exit code 0 whatever was measured (even when
 * not flat, even when the server died); 1 if set-up fails. Descriptors and RSS come from /proc (Linux; null
 * elsewhere). The temporary library is removed at the end (`--keep-library` keeps it).
 */
import { execFileSync, fork, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { findFfmpeg } from '../../src/main/services/capture/ffmpeg-tools';

// ---------------------------------------------------------------------------------------------------------------
// Options

const { values: o } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    minutes: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '10' },
    sample: { type: 'string', default: '5' },
    'crash-probes': { type: 'string', default: 'end' },
    'keep-library': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(o.minutes);
const CONCURRENCY = Math.round(Number(o.concurrency));
const WARMUP_S = Number(o.warmup);
const SAMPLE_S = Number(o.sample);
const CRASH_MODE = o['crash-probes'] as 'end' | 'during' | 'off';
if (!(MINUTES > 0) || !(CONCURRENCY >= 1) || !(WARMUP_S >= 0) || !(SAMPLE_S > 0) || !['end', 'during', 'off'].includes(CRASH_MODE)) {
  console.error('usage: npm run bench:soak -- [--minutes 3] [--concurrency 8] [--warmup 10] [--sample 5] [--crash-probes end|during|off] [--keep-library]');
  process.exit(2);
}

/**
 * The verdict. `flat` when, between the quiesced start and end samples:
 * - descriptors grew by at most FD_SLACK. Quiesced, the server holds the same things at both points (the listening
 *   socket, SQLite's files, the IPC channel, the three API sockets, libuv's epoll/eventfd/signal fds), so the
 *   difference should be 0; the slack covers a TCP connection the server has not yet seen close and a job
 *   worker's channel still being torn down. One leaked read stream per aborted request would exceed it within
 *   seconds of load (thousands of aborts per run).
 * - RSS grew by at most RSS_SLACK_MIB. After a full GC at both ends, growth left is V8's heap sizing (new-space
 *   semi-spaces grow to 16–32 MiB under allocation pressure and are not given back at once), glibc arenas that keep
 *   freed pages, and SQLite's page cache; those settle at a few tens of MiB whatever the duration. A leak of a few
 *   KiB per request (thousands per minute) passes it within a few minutes. The V8 heap itself (heapMiB) is
 *   reported beside it and is the sharper signal for JS-level leaks.
 */
const FD_SLACK = 4;
const RSS_SLACK_MIB = 48;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url));
const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');
let realRendererDir = '';
let realLibraryDir = '';
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const log = (msg: string) => process.stderr.write(`[soak ${elapsed().toFixed(0).padStart(4)}s] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const rand = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
const mib = (bytes: number) => +(bytes / 1024 ** 2).toFixed(1);

// ---------------------------------------------------------------------------------------------------------------
// Counters

type KindCounts = { served: number; aborted: number; errors: number };
const byKind: Record<string, KindCounts> = {};
const errorSamples: string[] = [];
function count(kind: string, what: keyof KindCounts, note?: string): void {
  const k = (byKind[kind] ??= { served: 0, aborted: 0, errors: 0 });
  k[what]++;
  if (what === 'errors' && note && errorSamples.length < 20) errorSamples.push(`${kind}: ${note}`);
}
const jobsDone = { completed: 0, failed: 0, cancelled: 0, other: 0 };

// ---------------------------------------------------------------------------------------------------------------
// The server child

interface ServerInfo {
  url: string;
  port: number;
  token: string;
  pid: number;
}
interface Server {
  info: ServerInfo;
  child: ChildProcess;
  dead: boolean;
  /** Set when this bench stopped it (SIGTERM at the end): that exit is no death. */
  stopRequested: boolean;
  exit: { code: number | null; signal: string | null; atS: number } | null;
  stderrTail: string;
  exited: Promise<void>;
  memory(gc: boolean): Promise<NodeJS.MemoryUsage | null>;
}

async function startServer(libraryDir: string): Promise<Server> {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const child = fork(SERVER_ENTRY, [libraryDir, RENDERER_DIR], {
    execArgv: ['--expose-gc', '--import', tsx],
    env: { ...process.env, TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stdout = '';
  let resolveExit!: () => void;
  const server: Server = {
    info: undefined as unknown as ServerInfo,
    child,
    dead: false,
    stopRequested: false,
    exit: null,
    stderrTail: '',
    exited: new Promise<void>((r) => (resolveExit = r)),
    memory: () => Promise.resolve(null),
  };
  child.stderr!.on('data', (d: Buffer) => {
    const s = d.toString();
    server.stderrTail = (server.stderrTail + s).slice(-4000);
    for (const line of s.split('\n')) if (line.trim()) process.stderr.write(`  [server] ${line}\n`);
  });
  child.on('exit', (code, signal) => {
    server.dead = true;
    server.exit = { code, signal, atS: +elapsed().toFixed(1) };
    resolveExit();
  });
  let memId = 0;
  const memWaiters = new Map<number, (u: NodeJS.MemoryUsage | null) => void>();
  child.on('message', (m: { type?: string; id?: number; usage?: NodeJS.MemoryUsage }) => {
    if (m?.type === 'memory' && typeof m.id === 'number') memWaiters.get(m.id)?.(m.usage ?? null);
  });
  server.memory = (gc) =>
    new Promise((resolve) => {
      if (server.dead || !child.connected) return resolve(null);
      const id = ++memId;
      const timer = setTimeout(() => {
        memWaiters.delete(id);
        resolve(null);
      }, 10_000);
      memWaiters.set(id, (u) => {
        clearTimeout(timer);
        memWaiters.delete(id);
        resolve(u);
      });
      child.send({ type: 'memory', id, gc });
    });
  server.info = await new Promise<ServerInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not print its address within 120 s')), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.slice(0, nl)) as ServerInfo);
      } catch (err) {
        reject(new Error(`the server printed ${JSON.stringify(stdout.slice(0, 200))}: ${(err as Error).message}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited during start (code ${code}, signal ${signal}): ${server.stderrTail.slice(-1000)}`));
    });
  });
  return server;
}

async function stopServer(server: Server): Promise<void> {
  if (server.dead) return;
  server.stopRequested = true;
  server.child.kill('SIGTERM');
  const killed = await Promise.race([server.exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!killed) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring the server process

interface FdSnapshot {
  count: number;
  /** Descriptors by what they point at: socket, pipe, anon_inode:…, or a file labelled by where it lies. */
  byTarget: Record<string, number>;
}

function fdLabel(target: string, libraryDir: string): string {
  if (target.startsWith('socket:')) return 'socket';
  if (target.startsWith('pipe:')) return 'pipe';
  if (target.startsWith('anon_inode:')) return target.replace(/\[\d+\]$/, '');
  const lib = (realLibraryDir ||= fs.realpathSync(libraryDir));
  const rel = target.startsWith(lib + path.sep) ? `library/${path.relative(lib, target)}` : target.startsWith((realRendererDir ||= fs.realpathSync(RENDERER_DIR)) + path.sep) ? `renderer/${path.relative(realRendererDir, target)}` : target;
  // Ids and frame numbers vary: group by shape (…/captures/*/cam0/frames/*.jpg).
  return rel.replace(/[0-9a-f]{32}/g, '*').replace(/\/\d+\.(jpg|png)$/, '/*.$1').replace(/-[A-Za-z0-9_-]{8}\.js$/, '-*.js');
}

function fdSnapshot(pid: number, libraryDir: string): FdSnapshot | null {
  let entries: string[];
  try {
    entries = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const byTarget: Record<string, number> = {};
  for (const e of entries) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${e}`);
    } catch {
      continue; // closed meanwhile
    }
    const label = fdLabel(target, libraryDir);
    byTarget[label] = (byTarget[label] ?? 0) + 1;
  }
  return { count: entries.length, byTarget };
}

function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? +(Number(m[1]) / 1024).toFixed(1) : null;
  } catch {
    return null;
  }
}

interface Sample {
  t: number;
  fds: number | null;
  rssMiB: number | null;
  heapMiB: number | null;
}

async function sample(server: Server, gc: boolean): Promise<Sample & { fdDetail: FdSnapshot | null }> {
  const mem = await server.memory(gc);
  const fdDetail = fdSnapshot(server.info.pid, libraryDir);
  return { t: +elapsed().toFixed(1), fds: fdDetail?.count ?? null, rssMiB: rssMiB(server.info.pid), heapMiB: mem ? mib(mem.heapUsed) : null, fdDetail };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP with Connection: close (agent: false), so that an idle keep-alive socket never counts as a descriptor

type AbortMode = 'none' | 'early' | 'mid';
interface HttpResult {
  status: number;
  bytes: number;
  expectedBytes: number | null;
  aborted: boolean;
  body: string;
}

function httpRequest(
  method: string,
  pathAndQuery: string,
  opts: { headers?: Record<string, string>; body?: Buffer; abort?: AbortMode; abortBodyHalfway?: boolean; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const ac = new AbortController();
    let settled = false;
    let abortedByUs = false;
    const done = (r: HttpResult | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const abortNow = () => {
      abortedByUs = true;
      ac.abort();
    };
    const timer = setTimeout(() => {
      ac.abort();
      done(new Error(`${method} ${pathAndQuery.slice(0, 80)}: no answer within ${opts.timeoutMs ?? 30_000} ms`));
    }, opts.timeoutMs ?? 30_000);
    const req = http.request(
      { host: '127.0.0.1', port: currentPort(), path: pathAndQuery, method, headers: opts.headers, agent: false, signal: ac.signal },
      (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        const expectedBytes = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : null;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (chunks.length < 4) chunks.push(c);
          if (opts.abort === 'mid' && !abortedByUs) {
            // The scrubber moved on: the first chunk arrived, the rest is no longer wanted.
            abortNow();
            done({ status: res.statusCode ?? 0, bytes, expectedBytes, aborted: true, body: '' });
          }
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, bytes, expectedBytes, aborted: false, body: Buffer.concat(chunks).toString('utf8', 0, 2000) }));
        res.on('error', (err) => (abortedByUs ? done({ status: res.statusCode ?? 0, bytes, expectedBytes, aborted: true, body: '' }) : done(err)));
        res.on('aborted', () => (abortedByUs ? undefined : done(new Error('response aborted by the server'))));
      },
    );
    req.on('error', (err) => (abortedByUs ? done({ status: 0, bytes: 0, expectedBytes: null, aborted: true, body: '' }) : done(err)));
    if (opts.abort === 'early') setTimeout(abortNow, rand(3));
    if (opts.body && opts.abortBodyHalfway) {
      req.setHeader('Content-Length', String(opts.body.length));
      req.write(opts.body.subarray(0, opts.body.length >> 1), () => setTimeout(() => {
        abortNow();
        done({ status: 0, bytes: 0, expectedBytes: null, aborted: true, body: '' });
      }, 20));
      return;
    }
    req.end(opts.body);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// StudioApi over a WebSocket

interface Outcome {
  ok: boolean;
  result?: any;
  error?: { code: string; message: string };
  id?: number | null;
}

class ApiSocket {
  private nextId = 1;
  private pending = new Map<number, { resolve: (o: Outcome) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** Responses with id null (malformed messages), in order. */
  private untagged: ((o: Outcome) => void)[] = [];
  eventListeners = new Set<(event: string, payload: any) => void>();
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      let m: any;
      try {
        m = JSON.parse(d.toString());
      } catch {
        return;
      }
      if (m.type === 'event') {
        for (const l of this.eventListeners) l(m.event, m.payload);
      } else if (m.type === 'response') {
        const p = m.id === null ? undefined : this.pending.get(m.id);
        if (p) {
          this.pending.delete(m.id);
          clearTimeout(p.timer);
          p.resolve(m);
        } else if (m.id === null) this.untagged.shift()?.(m);
      }
    });
    ws.on('close', () => {
      this.closed = true;
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error('the WebSocket closed'));
      }
      this.pending.clear();
    });
    ws.on('error', () => undefined);
  }

  static open(server: ServerInfo): Promise<ApiSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${encodeURIComponent(server.token)}`, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ApiSocket(ws)));
      ws.once('error', reject);
    });
  }

  call(method: string, params?: unknown, timeoutMs = 30_000): Promise<Outcome> {
    if (this.closed) return Promise.reject(new Error('the WebSocket is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type: 'request', id, method, params }));
    });
  }

  /** Sends raw data that the server answers with `id: null` (malformed JSON, binary, oversized). */
  sendRaw(data: string | Buffer, timeoutMs = 10_000): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer to a malformed message')), timeoutMs);
      this.untagged.push((o) => {
        clearTimeout(timer);
        resolve(o);
      });
      this.ws.send(data, { binary: Buffer.isBuffer(data) });
    });
  }

  close(): void {
    this.ws.close();
  }
}

async function must(api: ApiSocket, method: string, params?: unknown): Promise<any> {
  const r = await api.call(method, params, 120_000);
  if (!r.ok) throw new Error(`${method}: ${r.error?.code} ${r.error?.message}`);
  return r.result;
}

/** Resolves with a job's final state, from job.updated events on `api`, with a jobs.get poll as a backstop. */
async function waitForJob(api: ApiSocket, jobId: string, timeoutMs = 180_000): Promise<any> {
  const FINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted', 'paused']);
  return new Promise((resolve, reject) => {
    let finished = false;
    const finish = (job: any, err?: Error) => {
      if (finished) return;
      finished = true;
      api.eventListeners.delete(listener);
      clearInterval(poll);
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(job);
    };
    const listener = (event: string, payload: any) => {
      if (event === 'job.updated' && payload?.id === jobId && FINAL.has(payload.status)) finish(payload);
    };
    api.eventListeners.add(listener);
    const check = () =>
      api.call('jobs.get', { id: jobId }).then(
        (r) => r.ok && FINAL.has(r.result.status) && finish(r.result),
        () => undefined,
      );
    void check();
    const poll = setInterval(check, 3000);
    const timer = setTimeout(() => finish(null, new Error(`job ${jobId} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
  });
}

function countJob(job: any): void {
  const s = job?.status;
  if (s === 'completed') jobsDone.completed++;
  else if (s === 'failed') jobsDone.failed++;
  else if (s === 'cancelled') jobsDone.cancelled++;
  else jobsDone.other++;
  if (s !== 'completed' && errorSamples.length < 20) errorSamples.push(`job ${job?.kind}: ${s} ${job?.error?.code ?? ''} ${job?.error?.message ?? ''}`.trim());
}

// ---------------------------------------------------------------------------------------------------------------
// Set-up

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-soak-'));
const libraryDir = path.join(root, 'library');
const mediaDir = path.join(root, 'media');
fs.mkdirSync(mediaDir);
let server = null as unknown as Server;
const currentPort = () => server.info.port;
const token = () => server.info.token;
const origin = () => `http://127.0.0.1:${server.info.port}`;

function makeVideo(name: string, filter: string, seconds: number, extra: string[] = []): string {
  const out = path.join(mediaDir, name);
  execFileSync(findFfmpeg().ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', filter, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', ...extra, '-pix_fmt', 'yuv420p', out]);
  return out;
}

async function upload(file: Buffer, name: string): Promise<string> {
  const r = await httpRequest('PUT', `/upload?token=${token()}&name=${encodeURIComponent(name)}`, { body: file, headers: { Origin: origin(), 'Content-Type': 'application/octet-stream' }, timeoutMs: 120_000 });
  if (r.status !== 200) throw new Error(`upload of ${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return (JSON.parse(r.body) as { uploadId: string }).uploadId;
}

interface Fixture {
  projectId: string;
  captureId: string;
  frames: string[];
  thumbs: string[];
  smallVideo: Buffer;
  bigAssets: string[];
}

async function setUp(): Promise<{ fixture: Fixture; control: ApiSocket }> {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html')) || !fs.existsSync(path.join(RENDERER_DIR, 'assets'))) {
    log('out/renderer is not built: running `npx electron-vite build`');
    const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (r.status !== 0 || !fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) throw new Error('building the renderer failed; run `npm run build` and try again');
  }
  // Noise makes the frame JPEGs large (~450 KB at 720p), so that an aborted response is really cut mid-file rather
  // than already sitting whole in the socket buffers.
  const bigVideo = makeVideo('soak-720p.mp4', 'testsrc2=size=1280x720:rate=15,noise=alls=25:allf=t', 2, ['-crf', '30']);
  const smallVideo = fs.readFileSync(makeVideo('small.mp4', 'testsrc2=size=320x240:rate=10', 1));
  log(`generated footage (${mib(fs.statSync(bigVideo).size)} MiB); starting the server`);
  server = await startServer(libraryDir);
  log(`server pid ${server.info.pid} on port ${server.info.port}`);
  const control = await ApiSocket.open(server.info);
  const project = await must(control, 'projects.create', { name: 'Soak' });
  const uploadId = await upload(fs.readFileSync(bigVideo), 'soak-720p.mp4');
  const job = await must(control, 'captures.import', { projectId: project.id, sources: [{ uploadId }], name: 'Soak footage', options: { longSide: 1280 } });
  const done = await waitForJob(control, job.id);
  if (done.status !== 'completed') throw new Error(`the import ended ${done.status}: ${done.error?.message ?? ''}`);
  const captureId = (done.result as { captureId: string }).captureId;
  const { frames } = (await must(control, 'captures.frames', { captureId })) as { frames: { file: string; thumb: string }[] };
  if (!frames.length) throw new Error('the import produced no frames');
  await must(control, 'jobs.dismiss', { id: job.id });
  const assets = path.join(RENDERER_DIR, 'assets');
  const bigAssets = fs
    .readdirSync(assets)
    .filter((f) => fs.statSync(path.join(assets, f)).size > 100_000)
    .map((f) => `/assets/${f}`);
  log(`project ${project.id}, capture ${captureId} with ${frames.length} frames`);
  return { fixture: { projectId: project.id, captureId, frames: frames.map((f) => f.file), thumbs: frames.map((f) => f.thumb), smallVideo, bigAssets }, control };
}

// ---------------------------------------------------------------------------------------------------------------
// Load, with a gate so that the start and end samples are taken with nothing in flight

let running = true;
let gateOpen = true;
let gateWaiters: (() => void)[] = [];
let inFlight = 0;
let drainWaiters: (() => void)[] = [];

async function op<T>(fn: () => Promise<T>): Promise<T | undefined> {
  while (!gateOpen && running) await new Promise<void>((r) => gateWaiters.push(r));
  if (!running) return undefined;
  inFlight++;
  try {
    return await fn();
  } finally {
    inFlight--;
    if (inFlight === 0) for (const w of drainWaiters.splice(0)) w();
  }
}

/** Holds new work back and waits (up to 2 min) for what is in flight, then a moment for the server to close sockets. */
async function quiesce(): Promise<void> {
  gateOpen = false;
  const deadline = Date.now() + 120_000;
  while (inFlight > 0 && Date.now() < deadline) await Promise.race([new Promise<void>((r) => drainWaiters.push(r)), sleep(1000)]);
  if (inFlight > 0) log(`quiesce: ${inFlight} operations still in flight after 2 min`);
  await sleep(1500);
}

function reopen(): void {
  gateOpen = true;
  for (const w of gateWaiters.splice(0)) w();
}

function stopLoad(): void {
  running = false;
  reopen();
}

const aliveOrStop = () => running && !server.dead;

async function scrubber(f: Fixture): Promise<void> {
  while (aliveOrStop()) {
    await op(async () => {
      const asset = f.bigAssets.length && Math.random() < 0.05;
      const p = asset ? pick(f.bigAssets) + `?token=${token()}` : `/files/${f.projectId}/${Math.random() < 0.8 ? pick(f.frames) : pick(f.thumbs)}?token=${token()}`;
      const kind = asset ? 'static' : 'scrub';
      const ranges = [undefined, 'bytes=0-', `bytes=${rand(200_000)}-`, `bytes=${rand(100_000)}-${100_000 + rand(200_000)}`, 'bytes=-65536'];
      const range = pick(ranges);
      const r = Math.random();
      const abort: AbortMode = r < 0.55 ? 'mid' : r < 0.65 ? 'early' : 'none';
      try {
        const res = await httpRequest('GET', p, { headers: range ? { Range: range } : {}, abort });
        if (res.aborted) count(kind, 'aborted');
        else if ((res.status === 200 || res.status === 206) && (res.expectedBytes === null || res.expectedBytes === res.bytes)) count(kind, 'served');
        else if (res.status === 416 && range) count(kind, 'served'); // a range past the end of a small thumbnail
        else count(kind, 'errors', `HTTP ${res.status}, ${res.bytes}/${res.expectedBytes} bytes for ${p.replace(/token=[^&]+/, 'token=…')} (${range ?? 'no range'})`);
      } catch (err) {
        count(kind, 'errors', (err as Error).message);
      }
    });
    await sleep(20 + rand(20));
  }
}

async function uploader(): Promise<void> {
  let i = 0;
  while (aliveOrStop()) {
    await op(async () => {
      const body = Buffer.alloc(16_384 + rand(256 * 1024), i & 0xff);
      const halfway = ++i % 4 === 0;
      try {
        const res = await httpRequest('PUT', `/upload?token=${token()}&name=${encodeURIComponent(`soak ${i}.bin`)}`, { body, headers: { Origin: origin() }, abortBodyHalfway: halfway });
        if (res.aborted) count('upload', 'aborted');
        else if (res.status === 200 && JSON.parse(res.body).size === body.length) count('upload', 'served');
        else count('upload', 'errors', `HTTP ${res.status} ${res.body.slice(0, 120)}`);
      } catch (err) {
        count('upload', 'errors', (err as Error).message);
      }
    });
    await sleep(2500 + rand(1000));
  }
}

async function apiCaller(api: ApiSocket, f: Fixture): Promise<void> {
  const calls: [string, unknown][] = [
    ['projects.list', {}],
    ['projects.list', { query: 'Soak' }],
    ['projects.list', { trashed: true }],
    ['projects.get', { id: f.projectId }],
    ['captures.list', { projectId: f.projectId }],
    ['captures.get', { id: f.captureId }],
    ['captures.frames', { captureId: f.captureId, limit: 200 }],
    ['captures.frames', { captureId: f.captureId, offset: 10, limit: 5 }],
    ['jobs.list', {}],
    ['jobs.list', { projectId: f.projectId, includeFinished: false }],
    ['settings.get', {}],
    ['library.info', {}],
    ['app.info', {}],
    ['tracking.summary', { captureId: f.captureId }],
    ['avatars.list', { projectId: f.projectId }],
    ['exports.list', { projectId: f.projectId }],
  ];
  while (aliveOrStop() && !api.closed) {
    await op(async () => {
      const [method, params] = pick(calls);
      try {
        const r = await api.call(method, params);
        if (r.ok) count('api', 'served');
        else count('api', 'errors', `${method}: ${r.error?.code} ${r.error?.message}`);
      } catch (err) {
        count('api', 'errors', `${method}: ${(err as Error).message}`);
      }
    });
    await sleep(40 + rand(40));
  }
}

async function runJob(api: ApiSocket, method: string, params: unknown): Promise<any> {
  const r = await api.call(method, params);
  if (!r.ok) {
    count('job', 'errors', `${method}: ${r.error?.code} ${r.error?.message}`);
    return null;
  }
  const job = await waitForJob(api, r.result.id);
  countJob(job);
  count('job', job.status === 'completed' ? 'served' : 'errors');
  const dismissed = await api.call('jobs.dismiss', { id: job.id });
  if (!dismissed.ok) count('job', 'errors', `jobs.dismiss: ${dismissed.error?.code} ${dismissed.error?.message}`);
  return job.status === 'completed' ? job : null;
}

/** One job after another: two project duplicates (each trashed, the trash emptied) then a re-import (deleted). */
async function jobRunner(api: ApiSocket, f: Fixture): Promise<void> {
  let cycle = 0;
  while (aliveOrStop() && !api.closed) {
    await op(async () => {
      cycle++;
      try {
        if (cycle % 3 === 0) {
          const uploadId = await upload(f.smallVideo, `small ${cycle}.mp4`);
          const job = await runJob(api, 'captures.import', { projectId: f.projectId, sources: [{ uploadId }], name: `Re-import ${cycle}`, options: { longSide: 320, allowDuplicate: true } });
          if (job) {
            const del = await api.call('captures.delete', { id: job.result.captureId });
            if (del.ok) count('api', 'served');
            else count('job', 'errors', `captures.delete: ${del.error?.code} ${del.error?.message}`);
          }
        } else {
          const job = await runJob(api, 'projects.duplicate', { id: f.projectId, name: `Soak copy ${cycle}` });
          if (job) {
            const trash = await api.call('projects.trash', { id: job.result.projectId });
            if (!trash.ok) count('job', 'errors', `projects.trash: ${trash.error?.code} ${trash.error?.message}`);
            await runJob(api, 'projects.emptyTrash', {});
          }
        }
      } catch (err) {
        count('job', 'errors', (err as Error).message);
      }
    });
    await sleep(200);
  }
}

/** A malformed request and the answer a healthy server gives it. */
type Probe = { name: string; run: (f: Fixture, probeApi: ApiSocket) => Promise<boolean> };

const httpProbe = (name: string, method: string, p: (f: Fixture) => string, expect: number[], headers?: Record<string, string>): Probe => ({
  name,
  run: async (f) => expect.includes((await httpRequest(method, p(f), { headers, timeoutMs: 10_000 })).status),
});

const wsClosedWith = (url: string, headers: Record<string, string>): Promise<number> =>
  new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('close', (code) => resolve(code));
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });

const PROBES: Probe[] = [
  { name: 'ws: not JSON', run: async (_f, a) => (await a.sendRaw('{not json')).error?.code === 'BAD_REQUEST' },
  { name: 'ws: binary frame', run: async (_f, a) => (await a.sendRaw(Buffer.from([1, 2, 3]))).error?.code === 'BAD_REQUEST' },
  { name: 'ws: over 1 MiB', run: async (_f, a) => (await a.sendRaw('x'.repeat((1 << 20) + 10))).error?.code === 'MESSAGE_TOO_LARGE' },
  { name: 'ws: not an envelope', run: async (_f, a) => (await a.sendRaw(JSON.stringify({ hello: 'world' }))).error?.code === 'BAD_REQUEST' },
  { name: 'ws: unknown method', run: async (_f, a) => (await a.call('projects.explode', {})).error?.code === 'UNKNOWN_METHOD' },
  { name: 'ws: invalid params', run: async (_f, a) => (await a.call('projects.create', { name: '   ' })).error?.code === 'BAD_REQUEST' },
  { name: 'ws: wrong token', run: async () => (await wsClosedWith(`ws://127.0.0.1:${currentPort()}/api?token=wrong`, { Origin: origin() })) === 4401 },
  { name: 'ws: foreign Origin', run: async () => (await wsClosedWith(`ws://127.0.0.1:${currentPort()}/api?token=${token()}`, { Origin: 'https://evil.example' })) === 403 },
  httpProbe('files: traversal', 'GET', (f) => `/files/${f.projectId}/..%2F..%2Flibrary.sqlite?token=${token()}`, [400, 404]),
  httpProbe('files: no token', 'GET', (f) => `/files/${f.projectId}/${f.frames[0]}`, [401]),
  httpProbe('files: not a project id', 'GET', () => `/files/not-a-project/x.jpg?token=${token()}`, [400, 404]),
  httpProbe('files: range past the end', 'GET', (f) => `/files/${f.projectId}/${f.thumbs[0]}?token=${token()}`, [416], { Range: 'bytes=999999999-' }),
  httpProbe('files: inverted range', 'GET', (f) => `/files/${f.projectId}/${f.thumbs[0]}?token=${token()}`, [416], { Range: 'bytes=500-10' }),
  httpProbe('files: POST', 'POST', (f) => `/files/${f.projectId}/${f.frames[0]}?token=${token()}`, [405]),
  httpProbe('upload: wrong token', 'PUT', () => `/upload?token=wrong&name=x.bin`, [401]),
  httpProbe('upload: GET', 'GET', () => `/upload?token=${token()}`, [405]),
  httpProbe('static: missing', 'GET', () => `/no-such-file.js`, [404]),
];

/** Bad percent-encoding in a path: `decodeURIComponent` throws; today that is an uncaught exception in the server. */
const CRASH_PROBES: Probe[] = [
  httpProbe('files: bad percent-encoding', 'GET', (f) => `/files/${f.projectId}/%E0%A4%A?token=${token()}`, [400, 404]),
  httpProbe('static: bad percent-encoding', 'GET', () => `/%E0%A4%A`, [400, 404]),
];

const probeLog: Record<string, { sent: number; expected: number; unexpected: number }> = {};
function recordProbe(name: string, ok: boolean): void {
  const p = (probeLog[name] ??= { sent: 0, expected: 0, unexpected: 0 });
  p.sent++;
  if (ok) p.expected++;
  else p.unexpected++;
}

async function malformer(f: Fixture, probeApi: ApiSocket): Promise<void> {
  // Mixed in, the crash probes come early (after ~20 s of load), so that a fixed server is checked under load.
  const probes = CRASH_PROBES_DURING ? [...PROBES.slice(0, 5), ...CRASH_PROBES, ...PROBES.slice(5)] : PROBES;
  let i = 0;
  while (aliveOrStop()) {
    await sleep(3000 + rand(2000));
    await op(async () => {
      const probe = probes[i++ % probes.length]!;
      let ok = false;
      let why = 'not refused as expected';
      try {
        ok = await probe.run(f, probeApi);
      } catch (err) {
        why = (err as Error).message;
      }
      recordProbe(probe.name, ok);
      count('malformed', ok ? 'served' : 'errors', ok ? undefined : `${probe.name}: ${why}${server.dead ? ' (server dead)' : ''}`);
    });
  }
}
const CRASH_PROBES_DURING = CRASH_MODE === 'during';

async function sampler(samples: Sample[]): Promise<void> {
  while (aliveOrStop()) {
    await sleep(SAMPLE_S * 1000);
    if (server.dead) break;
    const s = await sample(server, false);
    if (s.fds === null) continue;
    samples.push({ t: s.t, fds: s.fds, rssMiB: s.rssMiB, heapMiB: s.heapMiB });
    const tot = totals();
    log(`served ${tot.served}, aborted ${tot.aborted}, errors ${tot.errors}, jobs ${jobsDone.completed}/${jobsDone.failed} · server fds ${s.fds}, rss ${s.rssMiB} MiB, heap ${s.heapMiB} MiB, in flight ${inFlight}`);
  }
}

function totals(): KindCounts {
  const t = { served: 0, aborted: 0, errors: 0 };
  for (const k of Object.values(byKind)) {
    t.served += k.served;
    t.aborted += k.aborted;
    t.errors += k.errors;
  }
  return t;
}

/** The lines of a crash that say what and where: `file:line`, the error, the first stack frame. */
function crashSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.findIndex((l) => /^\w*Error\b/.test(l));
  if (err < 0) return lines.slice(-3).join(' | ');
  const where = lines.slice(0, err).reverse().find((l) => /:\d+$/.test(l));
  return [where, lines[err], lines[err + 1]].filter(Boolean).join(' | ');
}

function fdDiff(a: FdSnapshot | null, b: FdSnapshot | null): Record<string, number> {
  if (!a || !b) return {};
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a.byTarget), ...Object.keys(b.byTarget)])) {
    const d = (b.byTarget[k] ?? 0) - (a.byTarget[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Main

let setupDone = false;
let exitCode = 0;
try {
  const { fixture, control } = await setUp();
  setupDone = true;
  const apis = await Promise.all([0, 1, 2].map(() => ApiSocket.open(server.info)));
  const probeApi = await ApiSocket.open(server.info);
  const firstServer = server;
  const samples: Sample[] = [];
  let died: { atS: number; phase: string } | null = null;
  let phase = 'warm-up';
  void server.exited.then(() => {
    if (firstServer.stopRequested) return;
    died = { atS: +elapsed().toFixed(1), phase };
    log(`THE SERVER DIED (${phase}): exit code ${firstServer.exit?.code}, signal ${firstServer.exit?.signal}`);
    stopLoad();
  });

  const loops = [
    ...Array.from({ length: CONCURRENCY }, () => scrubber(fixture)),
    uploader(),
    ...apis.map((a) => apiCaller(a, fixture)),
    jobRunner(control, fixture),
    malformer(fixture, probeApi),
    sampler(samples),
  ];
  log(`load started: ${CONCURRENCY} scrubbers, 1 uploader, ${apis.length} API sockets, 1 job loop, malformed probes every ~4 s; warm-up ${WARMUP_S} s`);

  await sleep(WARMUP_S * 1000);
  let start: Awaited<ReturnType<typeof sample>> | null = null;
  if (!server.dead) {
    await quiesce();
    start = server.dead ? null : await sample(server, true);
    reopen();
    if (start) log(`start (quiesced, after GC): fds ${start.fds}, rss ${start.rssMiB} MiB, heap ${start.heapMiB} MiB`);
  }
  phase = 'load';
  const loadStart = elapsed();
  const deadline = Date.now() + MINUTES * 60_000;
  while (Date.now() < deadline && !server.dead) await sleep(500);
  const loadSeconds = elapsed() - loadStart;

  let end: Awaited<ReturnType<typeof sample>> | null = null;
  if (!server.dead) {
    phase = 'end sample';
    await quiesce();
    end = server.dead ? null : await sample(server, true);
    if (end) log(`end (quiesced, after GC): fds ${end.fds}, rss ${end.rssMiB} MiB, heap ${end.heapMiB} MiB`);
  }
  stopLoad();
  await Promise.race([Promise.all(loops), sleep(60_000)]);
  for (const a of [...apis, probeApi, control]) a.close();
  const diedUnderLoad = died !== null;

  // Requests that crash today's server, one per live server, after the measurement.
  const crashProbes: { name: string; refusedAsExpected?: boolean; serverDied?: boolean; exit?: unknown; crash?: string; skipped?: string }[] = [];
  if (CRASH_MODE === 'end') {
    phase = 'crash probes';
    for (const probe of CRASH_PROBES) {
      if (server.dead) {
        log('restarting the server for the next crash probe');
        try {
          server = await startServer(libraryDir);
        } catch (err) {
          crashProbes.push({ name: probe.name, skipped: `the server could not be restarted: ${(err as Error).message.slice(0, 300)}` });
          continue;
        }
      }
      let ok = false;
      try {
        ok = await probe.run(fixture, probeApi);
      } catch {
        ok = false;
      }
      await sleep(1000);
      const deadNow = server.dead;
      crashProbes.push({
        name: probe.name,
        refusedAsExpected: ok,
        serverDied: deadNow,
        ...(deadNow ? { exit: server.exit, crash: crashSummary(server.stderrTail) } : {}),
      });
      log(`crash probe “${probe.name}”: ${ok ? 'refused as expected' : 'not refused'}${deadNow ? ' — THE SERVER DIED' : ', server alive'}`);
    }
  }
  await stopServer(server);
  const firstDeath = died as { atS: number; phase: string } | null;

  const rssSeries = samples.map((s) => s.rssMiB).filter((x): x is number => x !== null);
  const fdSeries = samples.map((s) => s.fds).filter((x): x is number => x !== null);
  const heapSeries = samples.map((s) => s.heapMiB).filter((x): x is number => x !== null);
  const startSample = start as Awaited<ReturnType<typeof sample>> | null;
  const endSample = end as Awaited<ReturnType<typeof sample>> | null;
  // When the server died under load there is no quiesced end: the last sample before the death stands in for it,
  // and no verdict is given (a sample under load carries the connections in flight).
  const lastSample = samples.length ? samples[samples.length - 1]! : null;
  const fdsStart = startSample?.fds ?? null;
  const fdsEnd = endSample?.fds ?? lastSample?.fds ?? null;
  const rssStart = startSample?.rssMiB ?? null;
  const rssEnd = endSample?.rssMiB ?? lastSample?.rssMiB ?? null;
  const flat = endSample && fdsStart !== null && fdsEnd !== null && rssStart !== null && rssEnd !== null ? fdsEnd - fdsStart <= FD_SLACK && rssEnd - rssStart <= RSS_SLACK_MIB : null;
  const tot = totals();
  const result = {
    bench: 'soak',
    minutes: MINUTES,
    loadSeconds: +loadSeconds.toFixed(1),
    concurrency: CONCURRENCY,
    requests: { served: tot.served, aborted: tot.aborted, errors: tot.errors, byKind, errorSamples },
    malformed: probeLog,
    jobs: { completed: jobsDone.completed, failed: jobsDone.failed, cancelled: jobsDone.cancelled, other: jobsDone.other },
    fds: {
      start: fdsStart,
      end: fdsEnd,
      growth: fdsStart !== null && fdsEnd !== null ? fdsEnd - fdsStart : null,
      endQuiesced: endSample !== null,
      max: fdSeries.length ? Math.max(...fdSeries, fdsStart ?? 0, fdsEnd ?? 0) : null,
      /** What the extra (or missing) descriptors at the end point at, end minus start. */
      diffByTarget: fdDiff(startSample?.fdDetail ?? null, endSample?.fdDetail ?? null),
      samples: fdSeries,
    },
    rssMiB: { start: rssStart, end: rssEnd, growth: rssStart !== null && rssEnd !== null ? +(rssEnd - rssStart).toFixed(1) : null, max: rssSeries.length ? Math.max(...rssSeries, rssStart ?? 0, rssEnd ?? 0) : null, samples: rssSeries },
    heapMiB: { start: startSample?.heapMiB ?? null, end: endSample?.heapMiB ?? lastSample?.heapMiB ?? null, max: heapSeries.length ? Math.max(...heapSeries) : null },
    /** Seconds since the bench started of each periodic sample (fds.samples, rssMiB.samples); the quiesced ones at startAtS and endAtS. */
    samplesAtS: samples.map((s) => s.t),
    startAtS: startSample?.t ?? null,
    endAtS: endSample?.t ?? null,
    flat,
    thresholds: { fdGrowthMax: FD_SLACK, rssGrowthMaxMiB: RSS_SLACK_MIB },
    /** Whether the server process died at all: under load (then the run stopped there) or to a crash probe. */
    serverDied: firstDeath !== null,
    serverDiedUnderLoad: diedUnderLoad,
    ...(firstDeath ? { serverDeath: { ...firstDeath, exit: firstServer.exit, crash: crashSummary(firstServer.stderrTail) } } : {}),
    crashProbes,
    sampleEverySeconds: SAMPLE_S,
    warmupSeconds: WARMUP_S,
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    cpus: os.cpus().length,
  };
  console.log(JSON.stringify(result));
} catch (err) {
  log(`${setupDone ? 'failed' : 'set-up failed'}: ${(err as Error).stack ?? err}`);
  exitCode = setupDone ? 0 : 1;
  console.log(JSON.stringify({ bench: 'soak', minutes: MINUTES, [setupDone ? 'failed' : 'setupFailed']: (err as Error).message, requests: totals(), byKind, serverDied: server ? server.dead && !server.stopRequested : null }));
} finally {
  running = false;
  if (server! && !server.dead) await stopServer(server).catch(() => undefined);
  if (o['keep-library']) log(`library kept in ${root}`);
  else fs.rmSync(root, { recursive: true, force: true });
}
process.exit(exitCode);
