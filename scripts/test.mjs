#!/usr/bin/env node
// `npm test`: build, type-check, import boundaries, unit and engine tests (Vitest, CPU WebGPU adapter), then browser
// e2e (Playwright in Debian's Chromium against web mode). Prints a final "N passed, N failed" line.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
env.XDG_RUNTIME_DIR ??= '/tmp';

function run(title, cmd, args) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  process.stdout.write(`--- ${title}: exit ${r.status} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { ok: r.status === 0, out: r.stdout ?? '' };
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
let broken = false;

const models = run('face models (convert TF.js → ONNX)', 'npm', ['run', '--silent', 'models:build']);
const build = run('build', 'npx', ['electron-vite', 'build']);
const typecheck = run('typecheck', 'npm', ['run', '--silent', 'typecheck']);
// The layers' import rules (.dependency-cruiser.cjs, docs/architecture.md "Layers and import boundaries"): a
// violation prints "error <rule>: <file> → <import>" and makes the run fail.
const boundaries = run('import boundaries (dependency-cruiser)', 'npm', ['run', '--silent', 'lint:boundaries']);
if (!models.ok || !build.ok || !typecheck.ok || !boundaries.ok) broken = true;

if (build.ok) {
  const unit = run('unit and engine tests (vitest)', 'npx', ['vitest', 'run']);
  const u = strip(unit.out);
  passed += Number(/Tests\s+(?:\d+ failed \| )?(\d+) passed/.exec(u)?.[1] ?? 0);
  failed += Number(/Tests\s+(\d+) failed/.exec(u)?.[1] ?? 0);
  if (!unit.ok && failed === 0) broken = true;

  const e2e = run('browser e2e (playwright)', 'npx', ['playwright', 'test']);
  const e = strip(e2e.out);
  passed += Number(/(\d+) passed/.exec(e)?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(e)?.[1] ?? 0);
  if (!e2e.ok && !/(\d+) failed/.test(e)) broken = true;
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || broken ? 1 : 0);
