/**
 * Import boundaries between the layers of docs/architecture.md ("Layers and import boundaries"), checked by
 * dependency-cruiser: `npm run lint:boundaries`, a step of `npm test` (scripts/test.mjs). Bottom up:
 *
 *   native/ (engine: platform-neutral WebGPU; tracking: the face tracker   src/shared (types, contract, utilities)
 *            and the live driving loop; models: the model converter)
 *       ↑ nothing from src/ (native/tracking: no Node either)                   ↑ no native/, no Node
 *   src/main (services host, CLI, web mode, Electron main, job workers): may import both
 *   src/preload (Electron preloads): src/shared only
 *   src/renderer, src/player (browser pages): src/shared, native/engine, native/tracking, src/preload's types, each
 *   other — never src/main
 *
 * An import is checked as the TypeScript source writes it (type-only imports included), with the tsconfig path
 * aliases (@shared/*, @engine/*, @tracking/*) resolved. Test files (*.test.ts) of src/renderer and src/player run in
 * Node against a real services host, so they may import src/main and Node; every other rule holds for tests too.
 */

/** Test files: Vitest runs them in Node, nothing ships them. */
const TEST = '\\.test\\.tsx?$';
/** Packages that need Node or Electron (native bindings, Node streams), never right in a browser page. */
const NODE_ONLY_PACKAGES = '^node_modules/(electron|better-sqlite3|onnxruntime-node|webgpu|ws|commander|pngjs|@ffmpeg-installer|@ffprobe-installer)/';

/**
 * Known violations, each with its reason: reported as ignored, not as errors. Everything else fails the check.
 * Remove an entry when its import is gone (dependency-cruiser does not flag a stale entry). To list them as errors:
 * BOUNDARIES_SHOW_KNOWN=1 npm run lint:boundaries.
 */
const known = (rule, from, to, comment) => ({ type: 'dependency', rule: { name: rule, severity: 'error' }, from, to, comment });
const KNOWN_VIOLATIONS = [
  known(
    'renderer-player-import-no-node',
    'src/renderer/src/features/texture/hostPersistence.ts',
    'fs',
    'Test support (the texture editor persistence over an in-process host), imported only by *.test.ts; ' +
      'to be renamed as test support (e.g. hostPersistence.testing.ts) or moved beside its tests.',
  ),
  known(
    'renderer-player-import-no-node',
    'src/renderer/src/features/texture/hostPersistence.ts',
    'path',
    'As above: test support imported only by tests.',
  ),
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'native-imports-no-src',
      comment: 'native/ (the platform-neutral engine, the model converter) imports nothing from src/: a service, UI wording or shared type it needs is passed in or belongs in native/.',
      severity: 'error',
      from: { path: '^native/' },
      to: { path: '^src/' },
    },
    {
      name: 'tracking-imports-no-node',
      comment: 'native/tracking (the face tracker, the live driving loop) runs in the browser pages too: no Node built-ins outside its tests; the Node halves (onnxruntime-node sessions, file reads) are src/main/services/tracking.',
      severity: 'error',
      from: { path: '^native/tracking/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'tracking-imports-no-node-packages',
      comment: 'native/tracking runs in the browser pages too: no Node-only packages or the Node model converter (native/models) outside its tests.',
      severity: 'error',
      from: { path: '^native/tracking/', pathNot: TEST },
      to: { path: `${NODE_ONLY_PACKAGES}|^native/models/` },
    },
    {
      name: 'shared-imports-no-native',
      comment: 'src/shared (types, contract, utilities) sits beside the engine, not above it: no native/ imports.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^native/' },
    },
    {
      name: 'shared-imports-no-node',
      comment: 'src/shared runs in the browser pages too: no Node built-ins (node:fs, node:path, Buffer modules…).',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-imports-no-upper-layer',
      comment: 'src/shared is the bottom layer: it imports nothing from src/main, src/preload, src/renderer or src/player.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(main|preload|renderer|player)/' },
    },
    {
      name: 'main-imports-no-upper-layer',
      comment: 'src/main (services host) imports src/shared and native/, never the preloads or the browser pages above it.',
      severity: 'error',
      from: { path: '^src/main/' },
      to: { path: '^src/(preload|renderer|player)/' },
    },
    {
      name: 'preload-imports-only-shared',
      comment: 'src/preload (sandboxed Electron preloads) imports src/shared and electron only.',
      severity: 'error',
      from: { path: '^src/preload/' },
      to: { path: '^(src/(main|renderer|player)|native)/' },
    },
    {
      name: 'renderer-player-import-no-main',
      comment: 'The renderer and the web player talk to the services through the StudioApi; they never import src/main (their tests may).',
      severity: 'error',
      from: { path: '^src/(renderer|player)/', pathNot: TEST },
      to: { path: '^src/main/' },
    },
    {
      name: 'renderer-player-import-no-node-packages',
      comment: 'The renderer and the web player are browser pages: no Node-only packages or the Node model converter (native/models) outside tests.',
      severity: 'error',
      from: { path: '^src/(renderer|player)/', pathNot: TEST },
      to: { path: `${NODE_ONLY_PACKAGES}|^native/models/` },
    },
    {
      name: 'renderer-player-import-no-node',
      comment: 'The renderer and the web player are browser pages: no Node built-ins outside tests.',
      severity: 'error',
      from: { path: '^src/(renderer|player)/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-imports-no-node-packages',
      comment: 'src/shared runs in the browser pages too: no Node-only packages outside its tests.',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: TEST },
      to: { path: NODE_ONLY_PACKAGES },
    },
  ],
  options: {
    // Checked: src/ and native/ (bench/, build/, e2e/, scripts/ are harnesses above every layer).
    // Packages are seen (for the rules on Node-only ones) but not followed.
    exclude: { path: '^out/' },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from src/main in the renderer still ties it to the services' code.
    tsPreCompilationDeps: true,
    // The path aliases @shared/*, @engine/* and @tracking/* (tsconfig.base.json, the same as electron.vite.config.ts's).
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    moduleSystems: ['es6', 'cjs'],
    knownViolations: process.env.BOUNDARIES_SHOW_KNOWN ? [] : KNOWN_VIOLATIONS,
  },
};
