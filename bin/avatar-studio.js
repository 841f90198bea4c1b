#!/usr/bin/env node
// The `avatar-studio` command: runs the built CLI (npm run build). In a development checkout whose sources are
// newer than the build, it runs the TypeScript sources through tsx instead, so the command never runs stale code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
const sourceDir = fileURLToPath(new URL('../src', import.meta.url));
const source = join(sourceDir, 'main/cli/main.ts');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const hasSources = existsSync(source);
const useBuild = existsSync(built) && (!hasSources || newestMtime(sourceDir) <= statSync(built).mtimeMs);
if (useBuild) {
  await import(built);
} else if (hasSources) {
  // tsx as this checkout has it: a bare `--import tsx` would be resolved from the caller's working directory
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    console.error('avatar-studio: the studio is not built and tsx is missing. Run `npm install`, then `npm run build`.');
    process.exit(1);
  }
  // and this checkout's tsconfig for the @shared / @engine paths, wherever the command is run from
  const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig } });
  if (r.error) {
    console.error('avatar-studio: the studio is not built. Run `npm run build` first.');
    process.exit(1);
  }
  process.exit(r.status ?? 1);
} else {
  console.error('avatar-studio: the studio is not built. Run `npm run build` first.');
  process.exit(1);
}
