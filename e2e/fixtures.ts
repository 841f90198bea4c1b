import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';

export interface Studio {
  /** The URL web mode printed, token included. */
  url: string;
  port: number;
  token: string;
  libraryDir: string;
}

/**
 * Web mode started for real from the built CLI (`npm run build` first), once per worker, on a fresh temporary
 * library. Tests use `studio.url` as a user would use the printed link.
 */
export const test = base.extend<object, { studio: Studio }>({
  studio: [
    async ({}, use) => {
      const libraryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-'));
      const cli = path.resolve('out/main/cli.js');
      if (!fs.existsSync(cli)) throw new Error('Build the studio first: npm run build');
      const child: ChildProcess = spawn(process.execPath, [cli, '--library', libraryDir, '--json', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const info = await new Promise<{ url: string; port: number }>((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`web mode did not start: ${err}`)), 30_000);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) {
            clearTimeout(timer);
            resolve(JSON.parse(line));
          }
        });
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        child.once('exit', (code) => reject(new Error(`web mode exited with ${code}: ${err}`)));
      });
      const token = new URL(info.url).searchParams.get('token')!;
      await use({ url: info.url, port: info.port, token, libraryDir });
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(libraryDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

export { expect };
