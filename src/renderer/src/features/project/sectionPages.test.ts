import { describe, expect, it } from 'vitest';
import { Avatar } from '@shared/model/avatar';
import type { Job } from '@shared/model/job';
import type { TrackingSummary } from '@shared/model/tracking';
import { hrefOf, parseHash } from '@shared/routes';
import { CAPABILITIES, capabilityOf } from './capabilities';
import { AVATAR_PAGES, avatarRows, captureTrackingText, firstStepText, nextIndex } from './sectionPages';

const HOUR = 3_600_000;
const now = 1_800_000_000_000;
const base = { projectId: 'p', name: 'Ada avatar', headModel: 'open-head', captureId: 'c1', preset: 'preview', steps: 1500, gaussians: 4000 } as const;
const v1 = Avatar.parse({ ...base, id: 'a1', version: 1, createdAt: now - 3 * HOUR, metrics: { psnr: 22.34, ssim: 0.8 } });
const v2 = Avatar.parse({ ...base, id: 'a2', version: 2, createdAt: now - 5 * 60_000, metrics: null, origin: 'texture', parentId: 'a1', parentVersion: 1 });
const imported = Avatar.parse({ ...base, id: 'a3', version: 3, createdAt: now - HOUR, metrics: null, origin: 'import', captureId: null });

describe('project rail', () => {
  it('gives every built section a page of its own, also with nothing chosen', () => {
    const id = '0123456789abcdef0123456789abcdef';
    for (const c of CAPABILITIES.filter((c) => c.id !== 'overview')) {
      expect(c.available).toBe(true);
      expect(c.section, c.id).toBeDefined();
      // The link parses back to the same page (not the library, not the overview).
      const route = { name: 'project', id, section: c.section } as const;
      expect(parseHash(hrefOf(route))).toEqual(route);
      expect(capabilityOf(c.section)).toBe(c.id);
    }
    expect(CAPABILITIES.find((c) => c.id === 'tracking')?.section).toBe('tracking');
    expect(CAPABILITIES.find((c) => c.id === 'export')?.section).toBe('export');
  });

  it('lights Avatar for training, reports and the 3D viewport, Overview with no section', () => {
    expect(capabilityOf(undefined)).toBe('overview');
    expect(capabilityOf('training')).toBe('avatar');
    expect(capabilityOf('viewport')).toBe('avatar');
    expect(capabilityOf('live')).toBe('live');
  });
});

describe('avatar pages', () => {
  it('lists versions newest first with title, what each is, capture and age', () => {
    const rows = avatarRows([v1, v2, imported], [{ id: 'c1', name: 'talking-head' }], now);
    expect(rows.map((r) => r.title)).toEqual(['Ada avatar v2', 'Ada avatar v3', 'Ada avatar v1']);
    expect(rows[0]).toEqual({ id: 'a2', title: 'Ada avatar v2', summary: 'texture edit of v1', capture: 'talking-head', when: '5 min ago' });
    expect(rows[1]).toMatchObject({ summary: 'imported · not evaluated', capture: 'no capture', when: '1 h ago' });
    expect(rows[2]).toMatchObject({ summary: 'test PSNR 22.3 dB', capture: 'talking-head', when: '3 h ago' });
    expect(avatarRows([v1], [], now)[0]?.capture).toBe('capture deleted');
  });

  it('names each row action after the avatar, keeping the visible words in the name', () => {
    for (const copy of Object.values(AVATAR_PAGES)) {
      const name = copy.actionName('Ada avatar v2');
      expect(name).toContain('Ada avatar v2');
      const visible = copy.action.replace('…', '').toLowerCase().split(' ');
      for (const word of visible) expect(name.toLowerCase()).toContain(word);
    }
    expect(AVATAR_PAGES.export.actionName('Ada avatar v1')).toBe('Export Ada avatar v1');
    expect(AVATAR_PAGES.texture.actionName('Ada avatar v1')).toBe('Edit the texture of Ada avatar v1');
  });

  it('says what to do first without avatars', () => {
    expect(firstStepText(0)).toMatch(/^Start with Footage/);
    expect(firstStepText(2)).toMatch(/Avatar section/);
  });
});

describe('list keys', () => {
  it('moves one row with the arrows, stopping at the ends; Home and End jump', () => {
    expect(nextIndex('ArrowDown', 0, 3)).toBe(1);
    expect(nextIndex('ArrowDown', 2, 3)).toBe(2);
    expect(nextIndex('ArrowUp', 0, 3)).toBe(0);
    expect(nextIndex('ArrowUp', 2, 3)).toBe(1);
    expect(nextIndex('Home', 2, 3)).toBe(0);
    expect(nextIndex('End', 0, 3)).toBe(2);
    expect(nextIndex('Enter', 0, 3)).toBeNull();
    expect(nextIndex('ArrowDown', 0, 0)).toBeNull();
    expect(nextIndex('ArrowDown', 7, 3)).toBe(2);
  });
});

describe('capture tracking state', () => {
  const summary: TrackingSummary = { frames: 120, tracked: 118, headModel: 'open-head', meanFitErrorPx: 1.2, untracked: {}, warnings: {}, trackedAt: now - 5 * 60_000, pick: null, messages: [] };
  const job = (over: Partial<Job>): Pick<Job, 'status' | 'progress' | 'error' | 'createdAt'> => ({
    status: 'running',
    progress: { fraction: 0.4, stage: 'tracking', etaSeconds: null },
    error: null,
    createdAt: now,
    ...over,
  });

  it('says not tracked, checking, tracked with the figures', () => {
    expect(captureTrackingText(null, null, now)).toEqual({ state: 'untracked', text: 'Not tracked yet' });
    expect(captureTrackingText(undefined, null, now).state).toBe('checking');
    expect(captureTrackingText(summary, null, now)).toEqual({ state: 'tracked', text: 'Tracked 118 of 120 frames (98%) · mean fit 1.20 px · 5 min ago' });
    expect(captureTrackingText({ ...summary, tracked: 120, meanFitErrorPx: null }, null, now).text).toBe('Tracked 120 of 120 frames · not fitted · 5 min ago');
  });

  it('shows a running job over an older result, and a failure newer than the result', () => {
    expect(captureTrackingText(summary, job({}), now)).toEqual({ state: 'running', text: 'Tracking… 40%' });
    expect(captureTrackingText(null, job({ status: 'queued' }), now).text).toBe('Tracking: waiting to start');
    const failed = job({ status: 'failed', error: { code: 'INTERNAL', message: 'no frames' } });
    expect(captureTrackingText(null, failed, now)).toEqual({ state: 'failed', text: 'Tracking failed: no frames' });
    // An old failure before the last good run is history.
    expect(captureTrackingText(summary, { ...failed, createdAt: summary.trackedAt - 1 }, now).state).toBe('tracked');
    expect(captureTrackingText(summary, job({ status: 'completed' }), now).state).toBe('tracked');
  });
});
