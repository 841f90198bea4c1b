#!/usr/bin/env node
// The `avatar-studio` command: runs the built CLI (npm run build). In a development checkout whose sources are
// newer than the build, it runs the TypeScript sources through tsx instead, so the command never runs stale code.
//
// Environment: AVATAR_STUDIO_FROM_SOURCE=1 runs the sources through tsx even when the build is up to date (the
// signal tests use it to exercise this wrapper's child process; it needs a development checkout with tsx).
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIsStale, buildStudio, newestMtime } from './build-freshness.js';

const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const sourceDir = fileURLToPath(new URL('../src', import.meta.url));
const source = join(sourceDir, 'main/cli/main.ts');

const hasSources = existsSync(source);
const forceSource = hasSources && process.env.AVATAR_STUDIO_FROM_SOURCE === '1';

// Web mode serves the built UI (out/renderer): in a development checkout whose build is missing or older than the
// sources, `serve` builds first (as `npm start` does), so a fresh checkout never shows "The studio UI is not built".
if (hasSources && !forceSource && process.argv.slice(2).includes('serve') && buildIsStale(root)) {
  console.error('avatar-studio: building the studio for web mode (electron-vite build)…');
  const failed = buildStudio(root);
  if (failed) {
    console.error(`avatar-studio: ${failed}`);
    process.exit(1);
  }
}
const useBuild = !forceSource && existsSync(built) && (!hasSources || newestMtime(sourceDir) <= statSync(built).mtimeMs);
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
  const child = spawn(process.execPath, ['--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig } });

  // The CLI is a child process: a signal sent to this command is passed on to it, so that it stops its job (left
  // interrupted and resumable) and releases the library, and this command ends when it does. A Ctrl+C in a terminal
  // reaches both processes; the CLI counts the two as one. On Windows nothing is passed on (there are no such signals
  // to send; a console Ctrl+C reaches every process attached to the console): this command only outlives the Ctrl+C
  // to end with the CLI's exit code.
  const windows = process.platform === 'win32';
  const forwarded = windows ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal) => {
    if (!windows && child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of forwarded) process.on(signal, forward);

  child.on('error', (err) => {
    console.error(`avatar-studio: could not start the CLI (${err.message}). Run \`npm run build\` first.`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of forwarded) process.off(s, forward);
    if (signal === null) process.exit(code ?? 1);
    // Ended by a signal it did not handle: say so, and end the same way, as a shell expects of a killed command.
    console.error(`avatar-studio: the CLI process was stopped by ${signal}.`);
    const n = constants.signals[signal] ?? 0;
    try {
      process.kill(process.pid, signal);
    } catch {
      // not a signal this platform can raise: the exit code below tells the same
    }
    // Still here (the signal is ignored in this process, or cannot be raised): the conventional exit code.
    setTimeout(() => process.exit(128 + n), 200);
  });
} else {
  console.error('avatar-studio: the studio is not built. Run `npm run build` first.');
  process.exit(1);
}
