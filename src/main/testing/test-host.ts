import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Job } from '@shared/model/job';
import { StudioHost } from '../host/studio-host';
import { waitForJob } from './job-wait';

export interface TestHost {
  host: StudioHost;
  projectId: string;
  /** One API call through the host's dispatch (validation included); a typed error becomes a thrown Error. */
  call(method: string, params: unknown): Promise<unknown>;
  /** Starts a job through the API and waits for it to end, while it advances (job-wait.ts: no fixed deadline). */
  run(method: string, params: unknown): Promise<Job>;
}

/**
 * A real StudioHost on a fresh library (CLI front door) with one project, for a test file: opened before the tests,
 * closed and removed after them. Read the fields inside tests (they are set in `beforeAll`).
 */
export function useTestHost(libraryPrefix: string, projectName: string): TestHost {
  const t = {} as TestHost;
  t.call = async (method, params) => {
    const out = await t.host.dispatch(method, params);
    if (!out.ok) throw new Error(out.error.message);
    return out.result;
  };
  t.run = async (method, params) => waitForJob(t.host, ((await t.call(method, params)) as Job).id);
  beforeAll(() => {
    t.host = StudioHost.open({ libraryDir: fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', libraryPrefix)), frontDoor: 'cli' });
    t.projectId = t.host.services.projects.create(projectName).id;
  });
  afterAll(async () => {
    await t.host.close();
    fs.rmSync(t.host.services.library.dir, { recursive: true, force: true });
  });
  return t;
}
