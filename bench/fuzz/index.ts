/**
 * The long fuzz run: the same targets as the `*.fuzz.test.ts` files (bench/fuzz/targets/), for many more cases.
 *
 *   npm run bench:fuzz [-- --iterations N] [--seed S] [--only NAME[,NAME…]] [--budget-s T] [--save DIR]
 *
 * Each target runs in its own process (so a hang, which the harness's watchdog ends by killing the process, or an
 * out-of-memory crash is reported for that target and the others still run, and each target's RSS growth is its
 * own), for `--iterations` cases (default 20000) or `--budget-s` seconds (default 60), whichever comes first.
 * `--save DIR` writes every crashing input there. Progress goes to stderr; the last line of stdout is one JSON object:
 * per target { iterations, ok, typed, crashes, maxCaseMs, meanCaseMs, maxCaseMiB, rssGrowthMiB, elapsedMs,
 * firstCrash?: { seed, index, mutation, kind, error } }, plus totals. Exit status 1 when anything crashed.
 * A crash is reproduced with `generateCase(seeds, mutators, firstCrash.seed)` (src/main/testing/fuzz.ts) on the
 * target's seeds and mutators, or by running `--only NAME --seed S` again.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { saveInput, summarize } from '../../src/main/testing/fuzz';
import { bundleImportTarget, bundleReadTarget } from './targets/bundle';
import { calibrationTarget } from './targets/calibration';
import { runTarget, type FuzzTarget } from './targets/common';
import { flameEmbeddingTarget, flameNpzTarget, flamePklTarget } from './targets/flame';
import { photoImageTarget, stickerImageTarget } from './targets/images';
import { uploadHttpTarget, uploadNameTarget, webEnvelopeTarget } from './targets/web';

export const TARGETS: FuzzTarget[] = [
  calibrationTarget,
  flamePklTarget,
  flameNpzTarget,
  flameEmbeddingTarget,
  stickerImageTarget,
  photoImageTarget,
  webEnvelopeTarget,
  uploadNameTarget,
  uploadHttpTarget,
  bundleReadTarget,
  bundleImportTarget,
];

const { values: o } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    iterations: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    'budget-s': { type: 'string', default: '60' },
    save: { type: 'string' },
    child: { type: 'string' },
    'hang-file': { type: 'string' },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const iterations = Number(o.iterations);
const seed = Number(o.seed);
const budgetMs = Number(o['budget-s']) * 1000;
if (!(iterations > 0) || !Number.isFinite(seed) || !(budgetMs > 0)) throw new Error('--iterations and --budget-s must be positive numbers, --seed a number');

if (o.child) {
  // one target, in this process
  const target = TARGETS.find((t) => t.name === o.child);
  if (!target) throw new Error(`no target ${o.child}`);
  const r = await runTarget(target, {
    iterations,
    seed,
    timeBudgetMs: budgetMs,
    hangReportFile: o['hang-file'],
    onCrash: o.save ? (c) => saveInput(o.save!, target.name, c) : undefined,
  });
  const out = { ...summarize(r), ...(r.finishError ? { finishError: r.finishError } : {}) };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

const only = o.only ? o.only.split(',').map((s) => s.trim()) : null;
const unknown = only?.filter((n) => !TARGETS.some((t) => t.name === n)) ?? [];
if (unknown.length) {
  log(`unknown target(s) ${unknown.join(', ')}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
const chosen = TARGETS.filter((t) => !only || only.includes(t.name));
const self = fileURLToPath(import.meta.url);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fuzz-'));

function runChild(t: FuzzTarget): Promise<Record<string, unknown>> {
  const hangFile = path.join(tmp, `${t.name}.hang`);
  const args = ['--import', 'tsx', self, '--child', t.name, '--iterations', String(iterations), '--seed', String(seed), '--budget-s', String(budgetMs / 1000), '--hang-file', hangFile, ...(o.save ? ['--save', o.save] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        if (code === 0) return resolve(JSON.parse(last) as Record<string, unknown>);
      } catch {
        // fall through
      }
      // killed by the watchdog (a hang), out of memory, or a failure of the harness itself
      const hang = fs.existsSync(hangFile) ? fs.readFileSync(hangFile, 'utf8') : null;
      resolve({ iterations: null, ok: null, typed: null, crashes: 1, processDied: signal ?? `exit ${code}`, firstCrash: { kind: hang ? 'hang' : 'process', error: hang ?? `the target's process ended with ${signal ?? `exit code ${code}`} (see stderr)` } });
    });
  });
}

const results: Record<string, Record<string, unknown>> = {};
const t0 = performance.now();
for (const t of chosen) {
  log(`fuzz ${t.name}: ${t.about} — up to ${iterations} cases or ${budgetMs / 1000} s, seed ${seed}`);
  const r = await runChild(t);
  results[t.name] = r;
  log(`  ${t.name}: ${r.iterations ?? '?'} cases, ${r.ok ?? '?'} ok, ${r.typed ?? '?'} typed, ${r.crashes} crashes, max ${r.maxCaseMs ?? '?'} ms/case, RSS +${r.rssGrowthMiB ?? '?'} MiB`);
  if (r.firstCrash) log(`  first crash: ${JSON.stringify(r.firstCrash).slice(0, 600)}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
const sum = (k: string) => Object.values(results).reduce((s, r) => s + (typeof r[k] === 'number' ? (r[k] as number) : 0), 0);
const totals = {
  targets: chosen.length,
  iterations: sum('iterations'),
  ok: sum('ok'),
  typed: sum('typed'),
  crashes: sum('crashes'),
  crashedTargets: Object.entries(results).filter(([, r]) => (r.crashes as number) > 0).map(([n]) => n),
  elapsedS: Math.round((performance.now() - t0) / 100) / 10,
};
console.log(JSON.stringify({ bench: 'fuzz', seed, iterationsPerTarget: iterations, budgetSPerTarget: budgetMs / 1000, targets: results, totals }));
process.exit(totals.crashes > 0 ? 1 : 0);
