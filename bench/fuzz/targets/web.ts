/**
 * Web mode from outside (src/main/web/): the WebSocket envelope of the StudioApi and the upload endpoint, on a real
 * `startWebServer` over a temporary library.
 *
 * - `web-envelope`: mutated requests (JSON values, wrong types, absurd ids, deep nesting), non-JSON text, text frames
 *   that are not UTF-8, binary frames and oversized frames, one at a time on one connection. Every message must get
 *   a typed error response (a ResponseMessage, code ≠ INTERNAL) or be dropped by the socket (close 1007/1009, after
 *   which the harness reconnects); after every 50 cases and at the end a new connection must get `app.info`, and the
 *   library must be as it was (one project, integrity_check ok).
 * - `upload-name`: `safeFileName` on random and hostile names (long non-Latin names, leading dots, `..`, slashes,
 *   NUL and control characters, bidi overrides, 300 emoji): the name is non-empty, at most 255 bytes of UTF-8, has
 *   no separators or control characters, does not start with a dot, and keeps the extension.
 * - `upload-http`: `PUT /upload` through the server with those names, some bodies cut short and the connection
 *   dropped: a completed upload is stored as `<library>/uploads/<id>/<name>` (found by `resolveUpload`, inside its
 *   folder, ≤ 255 bytes, extension kept, size right); an aborted one leaves nothing; the server keeps serving.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { ERROR_CODES, StudioError } from '../../../src/shared/api/errors';
import { MAX_MESSAGE_BYTES, ResponseMessage } from '../../../src/shared/api/wire';
import { StudioHost } from '../../../src/main/host/studio-host';
import { startWebServer, type WebServer } from '../../../src/main/web/web-server';
import { resolveUpload, safeFileName, uploadsDir } from '../../../src/main/web/upload';
import { byteMutators, HOSTILE_STRINGS, jsonMutators, type FuzzCase, type Mutator, type Rng } from '../../../src/main/testing/fuzz';
import type { FuzzTarget } from './common';

const te = new TextEncoder();

interface Studio {
  host: StudioHost;
  server: WebServer;
  projectId: string;
  libraryDir: string;
  close(): Promise<void>;
}

async function startStudio(prefix: string): Promise<Studio> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const rendererDir = path.join(root, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Avatar Studio</title>');
  const libraryDir = path.join(root, 'library');
  const host = StudioHost.open({ libraryDir, frontDoor: 'web' });
  const projectId = host.services.projects.create('Fuzzed over the wire').id;
  const server = await startWebServer({ host, rendererDir, advertise: false });
  return {
    host, server, projectId, libraryDir,
    close: async () => {
      await server.close();
      await host.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** One WebSocket connection that hands out the next response (events are skipped) or the close code. */
class Connection {
  private readonly queue: unknown[] = [];
  private waiter: ((m: unknown) => void) | null = null;
  closed: number | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d, isBinary) => {
      let m: unknown;
      try {
        m = JSON.parse(d.toString());
      } catch {
        m = { unparsable: d.toString().slice(0, 200), isBinary };
      }
      if ((m as { type?: unknown }).type === 'event') return;
      this.push(m);
    });
    ws.on('close', (code) => {
      this.closed = code;
      this.push({ closed: code });
    });
    ws.on('error', () => undefined);
  }
  private push(m: unknown) {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(m);
    } else this.queue.push(m);
  }
  static async open(s: Studio): Promise<Connection> {
    const ws = new WebSocket(`ws://127.0.0.1:${s.server.port}/api?token=${encodeURIComponent(s.server.token)}`, { headers: { Origin: `http://127.0.0.1:${s.server.port}` }, maxPayload: 64 * 1024 * 1024 });
    const c = new Connection(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return c;
  }
  /** The next message, or `{ timeout: true }` after `ms`. */
  next(ms: number): Promise<unknown> {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiter = null;
        resolve({ timeout: true });
      }, ms);
      this.waiter = (m) => {
        clearTimeout(t);
        resolve(m);
      };
    });
  }
  close(): void {
    this.ws.terminate();
  }
}

/** A frame as sent: kind byte (0 text, 1 binary, 2 raw bytes in a text frame) + payload. */
const frame = (kind: 0 | 1 | 2, payload: Uint8Array): Uint8Array => {
  const out = new Uint8Array(payload.length + 1);
  out[0] = kind;
  out.set(payload, 1);
  return out;
};

const onPayload = (m: Mutator<Uint8Array>): Mutator<Uint8Array> => ({
  ...m,
  apply: (a, rng) => {
    if (!a.length) return null;
    const r = m.apply(a.subarray(1), rng);
    return r ? { value: frame(a[0] as 0 | 1 | 2, r.value), label: r.label } : null;
  },
});

const envelopeMutators: Mutator<Uint8Array>[] = [
  ...jsonMutators({
    targets: [
      { path: /\.id$/, values: (r) => r.pick<unknown>([-1, 0.5, 2 ** 53 + 2, 1e308, '1', null, [], {}]) },
      { path: /\.type$/, values: (r) => r.pick<unknown>(['response', 'event', 'Request', '', null, 5]) },
      { path: /\.method$/, values: (r) => r.pick<unknown>(['', 'projects', 'projects.', '.list', '__proto__', 'constructor.name', 'projects.list\u0000', 'x'.repeat(101), 'x'.repeat(100), 5, null]) },
      { path: /\.params(\.\w+)?$/ },
    ],
  }).map(onPayload),
  {
    name: 'kind',
    weight: 0.5,
    apply: (a, rng) => {
      const k = rng.pick([0, 1, 2] as const);
      return { value: frame(k, a.subarray(1)), label: `as ${['text', 'binary', 'raw text'][k]}` };
    },
  },
  {
    name: 'oversized',
    weight: 0.05,
    apply: (a, rng) => {
      const n = rng.pick([MAX_MESSAGE_BYTES + 1, MAX_MESSAGE_BYTES * 3, MAX_MESSAGE_BYTES * 8 + 16]);
      const body = te.encode(`{"type":"request","id":1,"method":"app.info","params":{"x":"${'x'.repeat(n)}"}}`);
      return { value: frame(a[0] === 1 ? 1 : 0, body), label: `oversized ${body.length} bytes` };
    },
  },
  {
    name: 'invalid-utf8',
    weight: 0.3,
    apply: (a, rng) => {
      const p = a.subarray(1).slice();
      if (!p.length) return null;
      p[rng.int(p.length)] = rng.pick([0xc0, 0xff, 0xed, 0x80]);
      return { value: frame(2, p), label: 'invalid UTF-8 in a text frame' };
    },
  },
];

function expectTyped(m: unknown, what: string): unknown {
  const parsed = ResponseMessage.safeParse(m);
  if (!parsed.success) throw new Error(`${what} is not a ResponseMessage — ${JSON.stringify(m)?.slice(0, 300)}`);
  const r = parsed.data;
  if (r.ok) return r.result;
  if (r.error.code === 'INTERNAL' || !(ERROR_CODES as readonly string[]).includes(r.error.code)) throw new Error(`${what} is an ${r.error.code} error — ${r.error.message}`);
  throw new StudioError(r.error.code, r.error.message);
}

async function appInfoOnNewConnection(s: Studio): Promise<void> {
  const c = await Connection.open(s);
  try {
    c.ws.send(JSON.stringify({ type: 'request', id: 1, method: 'app.info' }));
    const r = await c.next(5000);
    const info = expectTyped(r, 'app.info on a new connection') as { frontDoor?: string };
    if (info?.frontDoor !== 'web') throw new Error(`app.info answered ${JSON.stringify(info)}`);
  } finally {
    c.close();
  }
}

function libraryIntact(s: Studio): void {
  const check = s.host.services.library.db.pragma('integrity_check', { simple: true });
  if (check !== 'ok') throw new Error(`library.sqlite integrity_check: ${String(check)}`);
  const projects = s.host.services.projects.list({ trashed: false });
  if (projects.length !== 1 || projects[0]!.id !== s.projectId || projects[0]!.name !== 'Fuzzed over the wire') throw new Error(`the library changed: ${JSON.stringify(projects.map((p) => p.name))}`);
}

export const webEnvelopeTarget: FuzzTarget = {
  name: 'web-envelope',
  about: 'StudioApi WebSocket envelope of a real web-mode server: mutated / non-JSON / binary / oversized frames',
  ciIterations: 400,
  async create() {
    const s = await startStudio('fuzz-ws-');
    let conn = await Connection.open(s);
    let n = 0;
    const P = s.projectId;
    const req = (id: number, method: string, params?: unknown) => frame(0, te.encode(JSON.stringify(params === undefined ? { type: 'request', id, method } : { type: 'request', id, method, params })));
    const seeds = [
      req(1, 'app.info'),
      req(2, 'projects.list', {}),
      req(3, 'projects.get', { id: P }),
      req(4, 'captures.list', { projectId: P }),
      req(5, 'avatars.list', { projectId: P }),
      req(6, 'jobs.list', {}),
      req(7, 'settings.get'),
      req(8, 'library.info'),
      req(9, 'exports.list', { projectId: P }),
      req(10, 'tracking.summary', { captureId: '0123456789abcdef0123456789abcdef' }),
      req(11, 'projects.explode', {}),
      frame(0, te.encode('{not json')),
      frame(1, Uint8Array.of(1, 2, 3, 0x7b, 0x7d)),
    ];
    return {
      seeds,
      mutators: envelopeMutators,
      parse: async (f: Uint8Array) => {
        if (conn.closed !== null) conn = await Connection.open(s);
        const kind = f[0]!, payload = f.subarray(1);
        if (kind === 1) conn.ws.send(payload, { binary: true });
        else if (kind === 2) conn.ws.send(payload, { binary: false });
        else conn.ws.send(new TextDecoder().decode(payload));
        const m = (await conn.next(5000)) as { timeout?: boolean; closed?: number };
        if (m.timeout) {
          conn.close();
          conn = await Connection.open(s);
          throw new Error('no answer within 5 s and the connection was not closed');
        }
        if (m.closed !== undefined) {
          // the socket drops a frame it must not parse: invalid UTF-8 (1007) or over its 8 MiB limit (1009)
          if ((m.closed === 1007 && kind === 2) || (m.closed === 1009 && payload.length > 8 * MAX_MESSAGE_BYTES)) throw new StudioError('BAD_REQUEST', `dropped by the socket (close ${m.closed})`);
          throw new Error(`the server closed the connection (code ${m.closed}) — on a ${payload.length}-byte ${['text', 'binary', 'raw text'][kind]} frame`);
        }
        return expectTyped(m, 'the answer');
      },
      after: async () => {
        if (++n % 50 === 0) await appInfoOnNewConnection(s);
      },
      maxCaseMs: 10000,
      maxCaseMiB: 200,
      finish: async () => {
        await appInfoOnNewConnection(s);
        libraryIntact(s);
      },
      close: async () => {
        conn.close();
        await s.close();
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Upload names

const NAME_SEEDS = [
  'clip.mp4',
  'Photo 2024-01-01.JPG',
  '.hidden.mov',
  'archive.tar.gz',
  'Видео с кухни, дубль 2.mp4',
  '動画ファイル（最終版）.mkv',
  '😀😀😀.webm',
  `${'a'.repeat(300)}.mp4`,
  `${'😀'.repeat(300)}.mp4`,
  `${'中文名'.repeat(100)}.mov`,
  '../../etc/passwd',
  'C:\\Users\\me\\clip.mp4',
  'evil\u202Egpj.exe',
  'x\u0000y.mp4',
  '\u200f\u2066name\u2069.mp4',
  '..',
  '.',
  '',
  '  spaced  .mp4  ',
  'con.mp4',
];

const NAME_PIECES = ['.', '..', '/', '\\', '\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\u202E', '\u2066', '\u200f', ' ', '\t', '\n', '😀'.repeat(150), 'é'.repeat(200), '中'.repeat(120), 'x'.repeat(250), '.mp4', '.MOV', '.tar.gz', '%2e%2e%2f', ':', '*', '?', '"', '<', '>', '|', '\uFEFF', '\uD800'];

const nameMutators: Mutator<Uint8Array>[] = [
  ...byteMutators().map((m) => ({ ...m, weight: (m.weight ?? 1) * 0.2 })),
  {
    name: 'name-piece',
    weight: 6,
    apply: (a, rng: Rng) => {
      const name = new TextDecoder().decode(a);
      const piece = rng.pick(NAME_PIECES);
      const where = rng.int(3);
      const chars = [...name];
      const at = where === 0 ? 0 : where === 1 ? chars.length : rng.int(chars.length + 1);
      chars.splice(at, 0, piece);
      return { value: te.encode(chars.join('')), label: `insert ${JSON.stringify(piece).slice(0, 16)}@${at}` };
    },
  },
  {
    name: 'hostile-name',
    weight: 1,
    apply: (_a, rng) => {
      const s = rng.pick(HOSTILE_STRINGS);
      return { value: te.encode(s + (rng.chance(0.5) ? '.mp4' : '')), label: `name ${JSON.stringify(s).slice(0, 20)}` };
    },
  },
];

/** The extension a name has (path.extname of its basename, when there is a stem before it and it is 1–10 letters/digits). */
function extensionOf(name: string): string | null {
  const base = path.basename(name.replace(/\\/g, '/')).trim();
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  return /^\.[A-Za-z0-9]{1,10}$/.test(ext) && /[^.\s]/.test(stem) ? ext : null;
}

/** What a stored upload name must be (throws with the broken rule). */
export function checkStoredName(original: string, stored: string): void {
  const bytes = Buffer.byteLength(stored);
  const problems: string[] = [];
  if (!stored) problems.push('empty');
  if (bytes > 255) problems.push('over 255 bytes of UTF-8');
  if (/[/\\\u0000-\u001f\u007f]/.test(stored)) problems.push('a separator or control character');
  if (stored === '.' || stored === '..') problems.push('a dot name');
  if (stored.startsWith('.')) problems.push('a leading dot (resolveUpload skips dot files: the upload would look gone)');
  if (Buffer.from(stored, 'utf8').toString('utf8') !== stored) problems.push('a lone surrogate (the name on disk would differ)');
  const ext = extensionOf(original);
  if (ext && !stored.endsWith(ext)) problems.push('lost its extension');
  if (problems.length) throw new Error(`${problems.join('; ')} — safeFileName(${JSON.stringify(original).slice(0, 80)}${original.length > 60 ? `…(${original.length} chars)` : ''}) = ${JSON.stringify(stored).slice(0, 80)}`);
}

export const uploadNameTarget: FuzzTarget = {
  name: 'upload-name',
  about: 'safeFileName on random and hostile upload names',
  ciIterations: 2000,
  async create() {
    return {
      seeds: NAME_SEEDS.map((n) => te.encode(n)),
      mutators: nameMutators,
      parse: (a: Uint8Array) => {
        const name = new TextDecoder().decode(a);
        return { name, stored: safeFileName(name) };
      },
      check: (r: { name: string; stored: string }) => checkStoredName(r.name, r.stored),
      maxCaseMs: 3000,
    };
  },
};

/** Percent-encodes UTF-8 bytes for a query string (encodeURIComponent refuses lone surrogates). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

function put(s: Studio, name: string, body: Uint8Array, abortAfter: number | null): Promise<{ status: number; json: unknown } | { aborted: true }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: s.server.port, method: 'PUT', path: `/upload?token=${encodeURIComponent(s.server.token)}&name=${pct(name)}`, headers: { 'Content-Length': body.length, Origin: `http://127.0.0.1:${s.server.port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    });
    req.on('error', (err) => (abortAfter !== null ? resolve({ aborted: true }) : reject(err)));
    if (abortAfter !== null) {
      req.write(body.subarray(0, abortAfter));
      setTimeout(() => {
        req.destroy();
        resolve({ aborted: true });
      }, 20);
    } else req.end(body);
  });
}

/** Upload folders that are not a completed upload (`known`): what an aborted or refused upload left, after in-flight work settles. */
async function strayUploads(libraryDir: string, known: Set<string>, settleMs = 5000): Promise<string[]> {
  const root = uploadsDir(libraryDir);
  const deadline = Date.now() + settleMs;
  for (;;) {
    const stray: string[] = [];
    for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      if (known.has(id)) continue;
      let files: string[] = [];
      try {
        files = fs.readdirSync(path.join(root, id));
      } catch {
        continue; // removed meanwhile
      }
      stray.push(`${id}/[${files.join(', ')}]`);
    }
    if (!stray.length || Date.now() > deadline) return stray;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const uploadHttpTarget: FuzzTarget = {
  name: 'upload-http',
  about: 'PUT /upload on a real web-mode server with hostile names and bodies cut short',
  ciIterations: 150,
  async create() {
    const s = await startStudio('fuzz-upload-');
    const known = new Set<string>();
    return {
      seeds: NAME_SEEDS.map((n) => te.encode(n)),
      mutators: nameMutators,
      parse: async (a: Uint8Array, c: FuzzCase<Uint8Array>) => {
        const name = new TextDecoder().decode(a);
        const size = c.seed % 3 === 0 ? 0 : (c.seed % 7) * 1000 + 1;
        const body = new Uint8Array(size).fill(0x5a);
        const abort = c.seed % 5 === 0 && size > 1 ? (c.seed >>> 3) % size : null;
        const r = await put(s, name, body, abort);
        if ('aborted' in r) {
          const stray = await strayUploads(s.libraryDir, known);
          if (stray.length) throw new Error(`an aborted upload left files — ${stray.join('; ')}`);
          throw new StudioError('BAD_REQUEST', 'aborted by the client (nothing left behind)');
        }
        if (r.status !== 200) {
          const stray = await strayUploads(s.libraryDir, known, 500);
          throw new Error(`an upload answered ${r.status}${stray.length ? ' and left files' : ''} — name ${JSON.stringify(name).slice(0, 60)}: ${JSON.stringify(r.json).slice(0, 200)}${stray.length ? `; left ${stray.join('; ')}` : ''}`);
        }
        const { uploadId, name: stored, size: got } = r.json as { uploadId: string; name: string; size: number };
        known.add(uploadId);
        const file = path.join(uploadsDir(s.libraryDir), uploadId, stored);
        const resolved = resolveUpload(s.libraryDir, uploadId);
        if (resolved === null) throw new Error(`a stored upload is not found by resolveUpload — ${JSON.stringify(stored)}`);
        if (path.dirname(resolved) !== path.join(fs.realpathSync(uploadsDir(s.libraryDir)), uploadId) && path.dirname(resolved) !== path.dirname(file)) throw new Error(`an upload is stored outside its folder — ${resolved}`);
        if (fs.statSync(resolved).size !== size || got !== size) throw new Error(`an upload is stored with the wrong size — ${fs.statSync(resolved).size} bytes of ${size}`);
        checkStoredName(name, path.basename(resolved));
        return stored;
      },
      after: async (_c, outcome) => {
        if (outcome === 'crash') return;
        const res = await fetch(`http://127.0.0.1:${s.server.port}/`);
        if (res.status !== 200) throw new Error(`the server answers ${res.status} to GET /`);
        await res.arrayBuffer();
      },
      maxCaseMs: 10000,
      finish: async () => {
        const stray = await strayUploads(s.libraryDir, known);
        if (stray.length) throw new Error(`uploads left behind: ${stray.slice(0, 5).join('; ')}`);
        const outside = fs.readdirSync(s.libraryDir).filter((f) => !['library.sqlite', 'library.sqlite-wal', 'library.sqlite-shm', 'library.lock', 'projects', 'trash', 'uploads'].includes(f));
        if (outside.length) throw new Error(`files appeared in the library folder: ${outside.join(', ')}`);
        await appInfoOnNewConnection(s);
      },
      close: () => s.close(),
    };
  },
};
