import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '@shared/model/job';
import { StudioHost } from '../../host/studio-host';
import { JOB_TEST_TIMEOUT, waitForJob } from '../../testing/job-wait';
import { craftTrackedCapture } from '../training/test-capture';
import { craftAvatar } from '../export/test-avatar';
import { bakeAvatarJob } from '../bake/bake-jobs';
import { bakeFilePaths, bakePartialDir, BAKE_FILES } from '../bake/bake-paths';
import { newId } from '../library/ids';

/**
 * A project's edited time ("Edited 1 h ago", the library's order) moves with every change recorded for it — not only
 * create and rename (issue 21) — and the host announces it (`projects.changed`) so an open library list shows it.
 */
let root: string;
let host: StudioHost;
let projectId: string;
let otherId: string;
let captureId: string;
let avatarId: string;
const announced: string[][] = [];
const OLD = 1_000;

async function call<T>(method: string, params: unknown): Promise<T> {
  const r = await host.dispatch(method, params);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
const editedAt = (id: string) => host.services.projects.get(id).updatedAt;

/** Sets both projects' edited time far back and forgets what was announced so far. */
async function backdate(): Promise<void> {
  host.services.library.db.prepare('UPDATE projects SET updated_at = ?').run(OLD);
  await call('projects.list', {}); // lets the host see the backdating, so it is not announced as an edit below
  announced.length = 0;
}
function expectEdited(): void {
  expect(editedAt(projectId)).toBeGreaterThan(Date.now() - 60_000);
  expect(editedAt(otherId)).toBe(OLD);
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'project-edited-'));
  host = StudioHost.open({ libraryDir: path.join(root, 'lib'), frontDoor: 'cli' });
  host.on('event', (event, payload) => {
    if (event === 'projects.changed') announced.push((payload as { ids: string[] }).ids);
  });
  projectId = host.services.projects.create('Edited').id;
  otherId = host.services.projects.create('Untouched').id;
}, JOB_TEST_TIMEOUT);
afterAll(async () => {
  await host?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("a project's edited time", () => {
  beforeEach(backdate);

  it('moves on import (and the capture record with its tracking)', async () => {
    captureId = (await craftTrackedCapture(host, projectId, fs.mkdtempSync(path.join(root, 'media-')), { frames: 6 })).id;
    expectEdited();
    expect(announced.flat()).toContain(projectId);
    expect(announced.flat()).not.toContain(otherId);
  }, JOB_TEST_TIMEOUT);

  it('moves on split edits, capture rename and excluding frames, announced each time', async () => {
    await call('captures.setSplit', { captureId, ranges: [{ from: 4, to: 5 }], split: 'test' });
    expectEdited();
    expect(announced).toEqual([[projectId]]);
    await backdate();
    await call('captures.rename', { id: captureId, name: 'Take 2' });
    expectEdited();
    expect(announced.flat()).toContain(projectId);
    await backdate();
    await call('captures.setSplit', { captureId, ranges: [{ from: 0, to: 0 }], split: 'excluded' });
    expectEdited();
  });

  it('moves when tracking is recorded', () => {
    const frameId = host.services.library.db.prepare('SELECT id FROM frames WHERE capture_id = ? ORDER BY idx LIMIT 1').pluck().get(captureId) as number;
    host.services.library.db
      .prepare('INSERT INTO tracks (frame_id, head_model, data, confidence, fit_error, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(frameId, 'open-head', '{}', 0.9, 1, Date.now());
    expectEdited();
  });

  it('moves when training records an avatar and its run', () => {
    const db = host.services.library.db;
    const id = newId();
    db.transaction(() => {
      host.services.avatars.insert({ id, projectId, name: 'Trained', headModel: 'open-head', meta: {} });
      db.prepare('INSERT INTO training_runs (id, project_id, avatar_id, capture_id, job_id, preset, config, status) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)').run(newId(), projectId, id, captureId, 'preview', '{}', 'completed');
    })();
    expectEdited();
  });

  it('moves when a bake is swapped in (a commit that records no row)', async () => {
    avatarId = craftAvatar(host, projectId, captureId).avatarId;
    await backdate();
    const dir = path.join(host.services.projects.folderOf(projectId), bakePartialDir(avatarId));
    fs.mkdirSync(dir, { recursive: true });
    for (const f of Object.values(BAKE_FILES)) fs.writeFileSync(path.join(dir, f), 'x');
    const summary = {
      avatarId, mapSize: 256, levels: 1, steps: 0, views: 1, gaussians: 1, observedGaussians: 1, observedTexelFraction: 1, lossFirst: null, lossLast: null,
      heldOut: null, fidelity: null, seconds: { load: 0, observe: 0, fit: 0, evaluate: 0, total: 0 }, bakedAt: Date.now(), files: bakeFilePaths(avatarId),
    };
    bakeAvatarJob.commit(host.services, { params: { projectId, avatarId } } as unknown as Parameters<typeof bakeAvatarJob.commit>[1], { files: Object.values(BAKE_FILES), summary });
    expectEdited();
  });

  it('moves when texture layers are saved', () => {
    const now = Date.now();
    host.services.library.db
      .prepare('INSERT INTO texture_layers (id, avatar_id, map, name, order_index, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(newId(), avatarId, 'colour', 'Paint', 0, now, now);
    expectEdited();
  });

  it('moves when an export job commits, announced by the host', async () => {
    const job = await call<Job>('exports.create', { avatarId, format: 'ply' });
    const done = await waitForJob(host, job.id);
    expect(done.status, done.error?.message).toBe('completed');
    expectEdited();
    expect(announced.flat()).toContain(projectId);
    expect(announced.flat()).not.toContain(otherId);
  }, JOB_TEST_TIMEOUT);

  it('moves on rename and when footage is deleted', async () => {
    await call('projects.rename', { id: projectId, name: 'Edited again' });
    expectEdited();
    expect(announced, 'announced once: the host does not repeat what the handler said').toEqual([[projectId]]);
    await backdate();
    await call('captures.delete', { id: captureId });
    expectEdited();
  });

  it('does not move on reads or on a job row of its own', async () => {
    await call('projects.get', { id: projectId });
    await call('avatars.list', { projectId });
    await call('exports.list', { projectId });
    host.services.library.db.prepare(`UPDATE jobs SET progress = progress WHERE project_id = ?`).run(projectId);
    await call('jobs.list', { projectId });
    expect(editedAt(projectId)).toBe(OLD);
    expect(announced).toEqual([]);
  });

  it('every table that holds a project’s rows is watched (a new one needs a trigger too)', () => {
    const db = host.services.library.db;
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    const triggers = new Set(db.prepare(`SELECT tbl_name FROM sqlite_schema WHERE type = 'trigger'`).pluck().all() as string[]);
    // Not edits of a project: the project row itself (its own code stamps it), jobs (a job's bookkeeping), settings,
    // and training metrics (recorded with their run, which is watched).
    const exempt = new Set(['projects', 'jobs', 'settings', 'training_metrics']);
    expect(tables.filter((t) => !exempt.has(t) && !triggers.has(t))).toEqual([]);
  });
});
