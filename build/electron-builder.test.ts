/**
 * The packaging configuration, checked without the Electron binary: electron-builder loads and validates
 * electron-builder.yml with its own loader and JSON schema, and its own file filter (app-builder-lib
 * util/filter.createFilter, minimatch with the same options) is applied to the files really in node_modules for
 * each target platform/arch: exactly the target's native binaries are packed, and every one of them is unpacked
 * from the asar.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEEP_LINK_SCHEME } from '../src/main/electron/deep-link';

const root = path.resolve(__dirname, '..');
const require = createRequire(import.meta.url);
const builderRequire = createRequire(require.resolve('app-builder-lib'));
const { getConfig, validateConfiguration } = builderRequire('./util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<Record<string, any>>;
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
};
const { createFilter } = builderRequire('./util/filter') as { createFilter(src: string, patterns: unknown[]): (file: string, stat: fs.Stats) => boolean };
const { Minimatch } = builderRequire('minimatch') as { Minimatch: new (p: string, o: object) => { negate: boolean; match(p: string, partial?: boolean): boolean } };

const config = await getConfig(root, null, null);

type Target = { platform: 'linux' | 'darwin' | 'win32'; arch: 'x64' | 'arm64'; section: 'linux' | 'mac' | 'win' };
const TARGETS: Target[] = [
  { platform: 'linux', arch: 'x64', section: 'linux' },
  { platform: 'linux', arch: 'arm64', section: 'linux' },
  { platform: 'win32', arch: 'x64', section: 'win' },
  { platform: 'darwin', arch: 'x64', section: 'mac' },
  { platform: 'darwin', arch: 'arm64', section: 'mac' },
];

/** `files` as patterns: getConfig normalises the top-level list to `[{ filter: [...] }]`. */
function patternsOf(files: unknown): string[] {
  if (!files) return [];
  return (files as unknown[]).flatMap((f) => (typeof f === 'string' ? [f] : (((f as { filter?: string[] }).filter ?? []) as string[])));
}

const expand = (p: string, t: Target) => p.replace(/\$\{platform\}/g, t.platform).replace(/\$\{arch\}/g, t.arch).replace(/\$\{os\}/g, t.section);

/** Files of a package, relative to the project (node_modules/<pkg>/…). */
function walk(rel: string): string[] {
  const abs = path.join(root, rel);
  if (!fs.existsSync(abs)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...walk(child));
    else out.push(child);
  }
  return out;
}

const NATIVE_PACKAGES = ['better-sqlite3', 'onnxruntime-node', 'webgpu', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'];
const installerDirs = ['@ffmpeg-installer', '@ffprobe-installer'].flatMap((scope) =>
  fs.existsSync(path.join(root, 'node_modules', scope)) ? fs.readdirSync(path.join(root, 'node_modules', scope)).map((d) => `${scope}/${d}`) : [],
);
const moduleFiles = [...new Set([...NATIVE_PACKAGES, ...installerDirs])].flatMap((p) => walk(`node_modules/${p}`));
const isNative = (f: string) => /\.(node|dll|dylib)$|\.so(\.\d+)*$|\/(ffmpeg|ffprobe)(\.exe)?$/.test(f);

/** The files of `moduleFiles` packed for a target: node_modules are included by default; `files` may exclude. */
function packed(t: Target): string[] {
  const patterns = ['**/*', ...patternsOf(config.files), ...patternsOf(config[t.section]?.files)].map((p) => new Minimatch(expand(p, t), { dot: true }));
  const filter = createFilter(root, patterns);
  return moduleFiles.filter((f) => filter(path.join(root, f), fs.statSync(path.join(root, f))));
}

function unpacked(file: string, t: Target): boolean {
  return (config.asarUnpack as string[]).some((p) => new Minimatch(expand(p, t), { dot: true }).match(file));
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema validation', async () => {
    const debugLogger = { isEnabled: false, add() {} };
    await expect(validateConfiguration(config, debugLogger)).resolves.toBeUndefined();
  });

  it('targets AppImage + deb, a universal dmg and an NSIS installer, with metadata and the deep-link scheme', () => {
    expect(config.appId).toBe('app.avatarstudio.desktop');
    expect(config.productName).toBe('Avatar Studio');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['universal'] }]);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.protocols[0].schemes).toEqual([DEEP_LINK_SCHEME]);
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
    expect(config.linux.mimeTypes).toContain(`x-scheme-handler/${DEEP_LINK_SCHEME}`);
  });

  it('sets the fuses of the security checklist, keeping the inspect fuse for Playwright', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the build output and the app’s entry', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(patternsOf(config.files)).toContain('out/**');
    expect(pkg.main).toBe('out/main/electron.js');
    // Native modules must be production dependencies: electron-builder packs only those, electron-vite
    // externalises them.
    for (const dep of ['better-sqlite3', 'onnxruntime-node', 'webgpu']) expect(pkg.dependencies[dep], dep).toBeTruthy();
    for (const dep of ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe']) expect(pkg.optionalDependencies[dep], dep).toBeTruthy();
    expect(pkg.scripts.dist).toBe('node build/dist.mjs');
    const vite = fs.readFileSync(path.join(root, 'electron.vite.config.ts'), 'utf8');
    expect(vite).toContain("'engine-process': r('./native/engine/host/node-engine-process.ts')");
    expect(vite).toContain("engine: r('./src/preload/engine.ts')");
  });

  it('finds the native binaries it is about in node_modules', () => {
    expect(moduleFiles).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(moduleFiles.filter((f) => f.endsWith('dawn.node')).length).toBeGreaterThanOrEqual(4);
    expect(moduleFiles.filter((f) => f.endsWith('onnxruntime_binding.node')).length).toBeGreaterThanOrEqual(3);
  });

  for (const t of TARGETS) {
    it(`${t.platform}-${t.arch}: packs exactly the target's dawn.node and ONNX Runtime, all native files unpacked`, () => {
      const files = packed(t);
      const dawn = files.filter((f) => f.endsWith('dawn.node'));
      expect(dawn).toEqual([`node_modules/webgpu/dist/${t.platform === 'darwin' ? 'darwin-universal' : `${t.platform}-${t.arch}`}/dawn.node`]);
      const ortDir = `node_modules/onnxruntime-node/bin/napi-v6/${t.platform}/${t.platform === 'darwin' ? 'arm64' : t.arch}/`;
      const ort = files.filter((f) => f.includes('/onnxruntime-node/bin/'));
      expect(ort.length).toBeGreaterThan(0);
      expect(ort.every((f) => f.startsWith(ortDir)), ort.join('\n')).toBe(true);
      expect(ort).toContain(`${ortDir}onnxruntime_binding.node`);
      // The shared library beside the binding comes along (dlopen fails without it).
      expect(ort.some((f) => /libonnxruntime\.so\.1$|libonnxruntime\.1\.dylib$|onnxruntime\.dll$/.test(f))).toBe(true);
      if (t.platform === 'win32') expect(files).toContain('node_modules/webgpu/dist/win32-x64/d3dcompiler_47.dll');
      expect(files).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
      expect(files).not.toContain('node_modules/better-sqlite3/build/Release/test_extension.node');
      const stillPacked = files.filter(isNative).filter((f) => !unpacked(f, t));
      expect(stillPacked, 'native files left inside the asar').toEqual([]);
    });
  }

  it('unpacks the installed ffmpeg/ffprobe binaries, and nothing that is plain JavaScript', () => {
    const t: Target = { platform: process.platform as Target['platform'], arch: process.arch as Target['arch'], section: 'linux' };
    const bins = moduleFiles.filter((f) => /\/(ffmpeg|ffprobe)(\.exe)?$/.test(f));
    for (const b of bins) expect(unpacked(b, t), b).toBe(true);
    expect(unpacked('node_modules/zod/index.js', t)).toBe(false);
    expect(unpacked('node_modules/react/index.js', t)).toBe(false);
    expect(unpacked('out/main/electron.js', t)).toBe(false);
  });

  it('ships the converted models as extra resources', () => {
    const models = (config.extraResources as { from: string; to: string; filter: string[] }[]).find((r) => r.from === '.cache/models');
    expect(models?.to).toBe('models');
    const catalog = fs.readFileSync(path.join(root, 'native/models/catalog.ts'), 'utf8');
    const names = [...catalog.matchAll(/name:\s*'([a-z0-9-]+)'/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(models!.filter.some((p) => new Minimatch(p, {}).match(`${n}.onnx`)), n).toBe(true);
    const dir = path.join(root, '.cache/models');
    if (fs.existsSync(dir)) {
      const built = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx'));
      for (const n of names) expect(built, `.cache/models/${n}.onnx (npm run models:build)`).toContain(`${n}.onnx`);
    }
  });

  it('has an icon electron-builder can turn into .icns and .ico (PNG, 1024², under 200 KB)', () => {
    const icon = path.join(root, config.icon as string);
    const buf = fs.readFileSync(icon);
    expect(buf.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([buf.readUInt32BE(16), buf.readUInt32BE(20)]).toEqual([1024, 1024]);
    expect(buf.length).toBeLessThan(200 * 1024);
  });
});
