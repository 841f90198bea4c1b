#!/usr/bin/env node
// `npm run kit:gpu`: packs the GPU kit — a self-contained folder that runs the engine's conformance checks, benchmarks,
// a training run and the live path on a bare Linux x86-64 machine with a GPU (see bench/README.md) — into .kit/gpu/
// and .kit/gpu-kit.tar (.kit/ is git-ignored). Contents:
//
//   run.sh                 the entry: bash run.sh [--quick] [kit.mjs options]
//   kit.mjs                bench/gpu-kit/kit/main.ts and everything it imports, bundled by esbuild (webgpu's index
//                          included, its dawn.node path pointed at $GPU_KIT_DAWN_NODE, else ./dawn.node)
//   node.xz, dawn.node.xz  this machine's Node binary and webgpu's dist/linux-x64/dawn.node, xz-compressed
//   debs/*.deb             Debian's libvulkan1, libegl1, libglvnd0, libgles2, libstdc++6 (unpacked by run.sh only
//                          when the system lacks them)
//   capture/               frames + masks + tracking of a clip generated from a face photo, imported and tracked by the
//                          studio at pack time (make-capture.ts)
//   MANIFEST.json          versions, sizes, what was packed
//
// Options: --reuse-capture (keep .kit/cache/capture from an earlier pack), --no-debs, --no-tar.
// Caches (.kit/cache): the compressed binaries (keyed by size + mtime) and the downloaded .deb files.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kitRoot = path.join(root, '.kit');
const out = path.join(kitRoot, 'gpu');
const cache = path.join(kitRoot, 'cache');
const args = new Set(process.argv.slice(2));
const LIMIT = 64 * 2 ** 20;
const t0 = performance.now();
const log = (m) => process.stderr.write(`[kit:gpu ${((performance.now() - t0) / 1000).toFixed(0)}s] ${m}\n`);
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`kit:gpu packs a Linux x86-64 kit (this machine's Node and dawn.node); this is ${process.platform}-${process.arch}.`);
  process.exit(2);
}
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
fs.mkdirSync(cache, { recursive: true });

// ---- xz-compressed binaries, cached ---------------------------------------------------------------------------------
function xzCached(src, name) {
  const st = fs.statSync(src);
  const key = `${name}-${st.size}-${Math.round(st.mtimeMs)}.xz`;
  const cached = path.join(cache, key);
  if (!fs.existsSync(cached)) {
    for (const f of fs.readdirSync(cache)) if (f.startsWith(`${name}-`) && f.endsWith('.xz')) fs.rmSync(path.join(cache, f));
    log(`compressing ${src} (${mib(st.size)}) with xz…`);
    const r = spawnSync('sh', ['-c', 'xz -T0 -6 -c "$1" > "$2.tmp" && mv "$2.tmp" "$2"', 'sh', src, cached], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`xz failed for ${src} (is xz-utils installed?)`);
  }
  fs.copyFileSync(cached, path.join(out, `${name}.xz`));
  return { source: src, bytes: st.size, compressed: fs.statSync(cached).size };
}
const nodeBin = fs.realpathSync(process.execPath);
const nodeInfo = xzCached(nodeBin, 'node');
const webgpuDir = path.join(root, 'node_modules/webgpu');
const webgpuVersion = JSON.parse(fs.readFileSync(path.join(webgpuDir, 'package.json'), 'utf8')).version;
const dawnInfo = xzCached(path.join(webgpuDir, 'dist/linux-x64/dawn.node'), 'dawn.node');

// ---- the bundle -----------------------------------------------------------------------------------------------------
log('bundling bench/gpu-kit/kit/main.ts with esbuild…');
const esbuild = await import('esbuild');
/** `webgpu` is bundled from its index.js with the dawn.node path pointed beside the bundle (or $GPU_KIT_DAWN_NODE). */
const webgpuPlugin = {
  name: 'kit-webgpu',
  setup(build) {
    build.onResolve({ filter: /^webgpu$/ }, () => ({ path: path.join(webgpuDir, 'index.js'), namespace: 'kit-webgpu' }));
    build.onLoad({ filter: /.*/, namespace: 'kit-webgpu' }, () => {
      const src = fs.readFileSync(path.join(webgpuDir, 'index.js'), 'utf8');
      const re = /const dawnNodePath = [^;\n]+;/;
      if (!re.test(src)) throw new Error(`webgpu ${webgpuVersion}: index.js no longer has "const dawnNodePath = …;" — update bench/gpu-kit/pack.mjs`);
      const contents = src.replace(re, "const dawnNodePath = process.env.GPU_KIT_DAWN_NODE || join(__dirname, 'dawn.node');");
      return { contents, loader: 'js', resolveDir: webgpuDir };
    });
  },
};
const bundle = await esbuild.build({
  entryPoints: [path.join(root, 'bench/gpu-kit/kit/main.ts')],
  outfile: path.join(out, 'kit.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: path.join(root, 'tsconfig.node.json'),
  plugins: [webgpuPlugin],
  // CommonJS dependencies (pngjs, jpeg-js, …) call require() for Node built-ins.
  banner: { js: "import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);" },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(bundle.metafile.inputs);
const forbidden = inputs.filter((p) => /better-sqlite3|onnxruntime|\.node$/.test(p));
if (forbidden.length) throw new Error(`the kit bundle pulled in native modules it cannot load: ${forbidden.join(', ')}`);
log(`kit.mjs: ${mib(fs.statSync(path.join(out, 'kit.mjs')).size)} from ${inputs.length} files`);

// ---- Vulkan loader / EGL / GLES packages -----------------------------------------------------------------------------
// libstdc++6 only for a target whose own is too old for dawn.node (run.sh tries the system's first).
const DEBS = ['libvulkan1', 'libegl1', 'libglvnd0', 'libgles2', 'libstdc++6'];
let debs = [];
if (!args.has('--no-debs')) {
  const debCache = path.join(cache, 'debs');
  fs.mkdirSync(debCache, { recursive: true });
  const have = () => fs.readdirSync(debCache).filter((f) => f.endsWith('.deb'));
  const missing = DEBS.filter((d) => !have().some((f) => f.startsWith(`${d}_`)));
  if (missing.length) {
    log(`apt-get download ${missing.join(' ')}`);
    const r = spawnSync('apt-get', ['-oAPT::Sandbox::User=root', 'download', ...missing], { cwd: debCache, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) log(`WARNING: apt-get download failed (status ${r.status}); the kit will rely on the target's own Vulkan loader. Run 'apt-get update' and pack again to carry them.`);
  }
  fs.mkdirSync(path.join(out, 'debs'));
  for (const d of DEBS) {
    const f = have().filter((x) => x.startsWith(`${d}_`)).sort().at(-1);
    if (!f) continue;
    fs.copyFileSync(path.join(debCache, f), path.join(out, 'debs', f));
    debs.push(f);
  }
}

// ---- the capture ----------------------------------------------------------------------------------------------------
const captureCache = path.join(cache, 'capture');
let captureInfo = null;
if (args.has('--reuse-capture') && fs.existsSync(path.join(captureCache, 'capture.json'))) {
  log('reusing .kit/cache/capture');
} else {
  log('making the capture: clip → import → track in a temporary library (about a minute)…');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench/gpu-kit/make-capture.ts'), captureCache], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`make-capture failed (status ${r.status})`);
  captureInfo = JSON.parse(r.stdout.trim().split('\n').at(-1));
  log(`capture: ${JSON.stringify(captureInfo)}`);
}
fs.cpSync(captureCache, path.join(out, 'capture'), { recursive: true });

// ---- run.sh, manifest, size, tar --------------------------------------------------------------------------------------
fs.copyFileSync(path.join(root, 'bench/gpu-kit/run.sh'), path.join(out, 'run.sh'));
fs.chmodSync(path.join(out, 'run.sh'), 0o755);
const git = (a) => {
  try {
    return execFileSync('git', a, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};
const files = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
const total = files.reduce((s, d) => s + fs.statSync(path.join(d.parentPath, d.name)).size, 0) + 4096;
const manifest = {
  kit: 'avatar-studio-gpu-kit',
  packedAt: new Date().toISOString(),
  commit: git(['rev-parse', 'HEAD']),
  dirty: (git(['status', '--porcelain']) ?? '').length > 0,
  node: { version: process.version, ...nodeInfo },
  webgpu: { version: webgpuVersion, ...dawnInfo },
  debs,
  capture: captureInfo,
  bytes: total,
};
fs.writeFileSync(path.join(out, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 1)}\n`);
let tarBytes = null;
if (!args.has('--no-tar')) {
  const tar = path.join(kitRoot, 'gpu-kit.tar');
  execFileSync('tar', ['-cf', tar, '-C', kitRoot, 'gpu']);
  tarBytes = fs.statSync(tar).size;
}
const seconds = +((performance.now() - t0) / 1000).toFixed(1);
log(`kit: ${path.relative(root, out)}/ ${mib(total)}${tarBytes ? `, ${path.relative(root, path.join(kitRoot, 'gpu-kit.tar'))} ${mib(tarBytes)}` : ''} (limit ${mib(LIMIT)}), packed in ${seconds} s`);
console.log(JSON.stringify({ kit: path.relative(root, out), bytes: total, mib: +(total / 2 ** 20).toFixed(2), tarBytes, limitBytes: LIMIT, seconds, debs, capture: captureInfo }));
if (total > LIMIT) {
  console.error(`the kit is ${mib(total)}, over the ${mib(LIMIT)} limit`);
  process.exit(1);
}
