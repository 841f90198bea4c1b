import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canResumeJob, type Job } from '@shared/model/job';
import { StudioHost } from '../../host/studio-host';
import { craftedPng, makeVideo } from '../../testing/media-fixtures';
import { useTempDirs } from '../../testing/temp-dir';

const tempDir = useTempDirs();
let host: StudioHost;
let projectId: string;

beforeEach(() => {
  host = StudioHost.open({ libraryDir: tempDir('cleanup-lib-'), frontDoor: 'cli' });
  projectId = host.services.projects.create('Cleanup').id;
});
afterEach(async () => {
  await host.close();
});

async function startImport(file: string, options?: Record<string, unknown>): Promise<string> {
  const out = await host.dispatch('captures.import', { projectId, sources: [{ path: file }], ...(options ? { options } : {}) });
  if (!out.ok) throw new Error(out.error.message);
  return (out.result as Job).id;
}

/** Entries of the project's captures/ folder that are partial imports. */
function partialFolders(): string[] {
  const dir = path.join(host.services.projects.folderOf(projectId), 'captures');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((e) => e.endsWith('.partial')) : [];
}

/** A PNG with a sound header (it probes as a 64×64 image) whose pixel data does not inflate: extraction fails. */
function undecodablePng(file: string): string {
  expect(() => zlib.inflateSync(Buffer.from('not deflate data at all'))).toThrow();
  return craftedPng(file, 64, 64, Buffer.from('not deflate data at all'));
}

describe('a failed import', () => {
  it('that fails for good (footage that cannot be decoded) removes its partial capture folder', async () => {
    const job = await host.jobs.waitFor(await startImport(undecodablePng(path.join(tempDir('media-'), 'broken.png'))));
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('BAD_REQUEST');
    expect(job.error?.message).toMatch(/could not be decoded|No frames could be decoded/);
    expect(canResumeJob(job)).toBe(false);
    expect(partialFolders()).toEqual([]);
    expect(host.services.captures.list(projectId)).toEqual([]);
  });

  it('refused at commit (the same footage was imported meanwhile) removes its partial capture folder', async () => {
    const file = makeVideo(tempDir('media-'), 'twice.mp4', { size: '320x240', rate: 10, seconds: 2 });
    // Both workers look for a duplicate before either has committed; the second commit finds the first.
    const [a, b] = await Promise.all([startImport(file), startImport(file)]);
    const jobs = await Promise.all([host.jobs.waitFor(a), host.jobs.waitFor(b)]);
    expect(jobs.map((j) => j.status).sort()).toEqual(['completed', 'failed']);
    const failed = jobs.find((j) => j.status === 'failed')!;
    expect(failed.error).toMatchObject({ code: 'CONFLICT', details: { final: true } });
    expect(canResumeJob(failed)).toBe(false);
    expect(partialFolders()).toEqual([]);
    expect(host.services.captures.list(projectId)).toHaveLength(1);
  });
});
