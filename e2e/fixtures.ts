import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { startWebMode } from './support';

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
      const { child, ...info } = await startWebMode(libraryDir);
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
