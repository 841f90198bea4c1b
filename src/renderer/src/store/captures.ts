import { create } from 'zustand';
import type { StudioErrorShape } from '@shared/api/errors';
import type { Capture, Frame, FrameRange, FrameSplit } from '@shared/model/capture';
import { chunk, countSplits, diffToRanges, SPLIT_CODE, withRanges } from '../features/capture/splits';
import { errorMessage, toErrorShape } from '../lib/errors';
import { plural } from '../lib/format';
import { studio } from './studio';
import { toast } from './toasts';

/** Captures of a project, and the frames (per camera) and split history of the captures being reviewed. */
export interface CaptureFrames {
  /** Frames per camera id, in index order. */
  byCamera: Record<string, Frame[]>;
  /** One byte per frame index (0 train, 1 test, 2 excluded); edits replace the array. */
  splits: Uint8Array;
  /** Median sharpness of the capture (first camera), for relative blur colours; null when unknown. */
  medianSharpness: number | null;
  loaded: boolean;
  error: StudioErrorShape | null;
}

/** One undoable split edit: the whole split before and after (10 kB per 10,000 frames). */
export interface SplitEdit {
  label: string;
  before: Uint8Array;
  after: Uint8Array;
}

export interface UploadState {
  id: number;
  projectId: string;
  label: string;
  loaded: number;
  total: number;
  abort: () => void;
}

interface ProjectCaptures {
  captures: Capture[];
  loaded: boolean;
  error: StudioErrorShape | null;
}

interface CapturesState {
  byProject: Record<string, ProjectCaptures>;
  frames: Record<string, CaptureFrames>;
  history: Record<string, { undo: SplitEdit[]; redo: SplitEdit[] }>;
  /** Captures with a split call in flight (edits queue behind it). */
  pending: Record<string, number>;
  uploads: UploadState[];
  /** A capture an import just made, to open when the Footage view shows its project. */
  justImported: Record<string, string>;

  loadList(projectId: string): Promise<void>;
  loadFrames(capture: Capture): Promise<void>;
  applyCapture(c: Capture): void;
  setSplit(captureId: string, ranges: FrameRange[], split: FrameSplit, label?: string): Promise<boolean>;
  excludeBlurry(captureId: string, relativeThreshold?: number): Promise<void>;
  /** Excludes untracked frames and those whose fit error is above the limit (tracking), undoably. */
  excludeBadlyTracked(captureId: string, maxFitErrorPx?: number): Promise<void>;
  proposeSplit(captureId: string, testFraction?: number, opts?: { quiet?: boolean }): Promise<boolean>;
  undo(captureId: string): Promise<void>;
  redo(captureId: string): Promise<void>;
  rename(id: string, name: string): Promise<string | null>;
  remove(capture: Capture): Promise<boolean>;
  setUpload(u: UploadState): void;
  removeUpload(id: number): void;
  markImported(projectId: string, captureId: string): void;
  clearImported(projectId: string): void;
}

const PAGE = 2500;
const MAX_HISTORY = 100;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export const useCaptures = create<CapturesState>((set, get) => {
  const listSeq: Record<string, number> = {};
  const framesSeq: Record<string, number> = {};
  /** Split calls for one capture run one after another, so the local array always matches what was sent. */
  const queues: Record<string, Promise<unknown>> = {};

  const enqueue = <T>(captureId: string, work: () => Promise<T>): Promise<T> => {
    const run = (queues[captureId] ?? Promise.resolve()).then(work, work);
    queues[captureId] = run.catch(() => undefined);
    set((s) => ({ pending: { ...s.pending, [captureId]: (s.pending[captureId] ?? 0) + 1 } }));
    return run.finally(() => set((s) => ({ pending: { ...s.pending, [captureId]: Math.max(0, (s.pending[captureId] ?? 1) - 1) } })));
  };

  const setSplits = (captureId: string, splits: Uint8Array) =>
    set((s) => {
      const f = s.frames[captureId];
      return f ? { frames: { ...s.frames, [captureId]: { ...f, splits } } } : {};
    });

  const currentSplits = (captureId: string) => get().frames[captureId]?.splits ?? null;

  /** Sends what turns the stored split into `target`; returns the capture after the last call. */
  const sendTarget = async (captureId: string, current: Uint8Array, target: Uint8Array): Promise<Capture | null> => {
    const groups = diffToRanges(current, target);
    let last: Capture | null = null;
    for (const [split, ranges] of Object.entries(groups) as Array<[FrameSplit, FrameRange[]]>) {
      for (const part of chunk(ranges)) last = await studio().client.call('captures.setSplit', { captureId, ranges: part, split });
    }
    return last;
  };

  const pushHistory = (captureId: string, edit: SplitEdit) =>
    set((s) => {
      const h = s.history[captureId] ?? { undo: [], redo: [] };
      return { history: { ...s.history, [captureId]: { undo: [...h.undo, edit].slice(-MAX_HISTORY), redo: [] } } };
    });

  const reloadSplits = async (captureId: string): Promise<Uint8Array | null> => {
    const capture = await studio().client.call('captures.get', { id: captureId });
    get().applyCapture(capture);
    await get().loadFrames(capture);
    return currentSplits(captureId);
  };

  /** Moves between history states: applies `target`, and on failure re-reads the stored split. */
  const travel = async (captureId: string, from: 'undo' | 'redo') => {
    const h = get().history[captureId];
    const edit = h?.[from].at(-1);
    if (!edit) {
      toast.info(from === 'undo' ? 'Nothing to undo in this capture.' : 'Nothing to redo.');
      return;
    }
    const target = from === 'undo' ? edit.before : edit.after;
    set((s) => {
      const cur = s.history[captureId] ?? { undo: [], redo: [] };
      return {
        history: {
          ...s.history,
          [captureId]:
            from === 'undo' ? { undo: cur.undo.slice(0, -1), redo: [...cur.redo, edit] } : { undo: [...cur.undo, edit], redo: cur.redo.slice(0, -1) },
        },
      };
    });
    await enqueue(captureId, async () => {
      const current = currentSplits(captureId);
      if (!current) return;
      setSplits(captureId, target);
      try {
        const c = await sendTarget(captureId, current, target);
        if (c) get().applyCapture(c);
        toast.info(`${from === 'undo' ? 'Undid' : 'Redid'}: ${edit.label}`);
      } catch (e) {
        toast.error(errorMessage(e));
        await reloadSplits(captureId).catch(() => undefined);
      }
    });
  };

  /** Runs a host call that excludes frames, mirrors it locally and makes it one undoable edit with a toast. */
  const excludeBy = async (captureId: string, call: () => Promise<{ capture: Capture; excluded: number[] }>, text: { noun: string; already: string; none: string }) => {
    await enqueue(captureId, async () => {
      const before = currentSplits(captureId);
      if (!before) return;
      try {
        const r = await call();
        get().applyCapture(r.capture);
        const after = withRanges(
          before,
          r.excluded.map((i) => ({ from: i, to: i })),
          'excluded',
        );
        setSplits(captureId, after);
        const changed = r.excluded.filter((i) => before[i] !== SPLIT_CODE.excluded).length;
        if (changed === 0) {
          toast.info(r.excluded.length ? text.already : text.none);
          return;
        }
        const edit: SplitEdit = { label: `Exclude ${plural(changed, text.noun)}`, before, after };
        pushHistory(captureId, edit);
        toast.success(`Excluded ${plural(changed, text.noun)}.`, { label: 'Undo', run: () => void get().undo(captureId) });
      } catch (e) {
        toast.error(errorMessage(e));
      }
    });
  };

  return {
    byProject: {},
    frames: {},
    history: {},
    pending: {},
    uploads: [],
    justImported: {},

    async loadList(projectId) {
      const seq = (listSeq[projectId] = (listSeq[projectId] ?? 0) + 1);
      try {
        const captures = await studio().client.call('captures.list', { projectId });
        if (seq === listSeq[projectId]) set((s) => ({ byProject: { ...s.byProject, [projectId]: { captures, loaded: true, error: null } } }));
      } catch (e) {
        if (seq === listSeq[projectId])
          set((s) => ({ byProject: { ...s.byProject, [projectId]: { captures: s.byProject[projectId]?.captures ?? [], loaded: true, error: toErrorShape(e) } } }));
      }
    },

    async loadFrames(capture) {
      const captureId = capture.id;
      const seq = (framesSeq[captureId] = (framesSeq[captureId] ?? 0) + 1);
      try {
        const cameras = capture.cameras.length > 0 ? capture.cameras.map((c) => c.id) : [undefined];
        const byCamera: Record<string, Frame[]> = {};
        await Promise.all(
          cameras.map(async (cameraId) => {
            const frames: Frame[] = [];
            let total = Infinity;
            while (frames.length < total) {
              const page = await studio().client.call('captures.frames', { captureId, cameraId, offset: frames.length, limit: PAGE });
              total = page.total;
              if (page.frames.length === 0) break;
              frames.push(...page.frames);
            }
            for (const f of frames) (byCamera[f.cameraId] ??= []).push(f);
          }),
        );
        for (const list of Object.values(byCamera)) list.sort((a, b) => a.idx - b.idx);
        const first = byCamera[capture.cameras[0]?.id ?? ''] ?? Object.values(byCamera)[0] ?? [];
        const count = Math.max(capture.frameCount, first.length ? first[first.length - 1].idx + 1 : 0);
        const splits = new Uint8Array(count);
        for (const f of first) splits[f.idx] = SPLIT_CODE[f.split];
        const medianSharpness = median(first.map((f) => f.sharpness).filter((v): v is number => v !== null && Number.isFinite(v)));
        if (seq === framesSeq[captureId])
          set((s) => ({ frames: { ...s.frames, [captureId]: { byCamera, splits, medianSharpness, loaded: true, error: null } } }));
      } catch (e) {
        if (seq === framesSeq[captureId])
          set((s) => ({
            frames: {
              ...s.frames,
              [captureId]: { ...(s.frames[captureId] ?? { byCamera: {}, splits: new Uint8Array(0), medianSharpness: null }), loaded: true, error: toErrorShape(e) },
            },
          }));
      }
    },

    applyCapture(c) {
      set((s) => {
        const p = s.byProject[c.projectId];
        if (!p) return {};
        const i = p.captures.findIndex((x) => x.id === c.id);
        const captures = p.captures.slice();
        if (i === -1) captures.push(c);
        else captures[i] = c;
        return { byProject: { ...s.byProject, [c.projectId]: { ...p, captures } } };
      });
    },

    async setSplit(captureId, ranges, split, label) {
      return enqueue(captureId, async () => {
        const before = currentSplits(captureId);
        if (!before || ranges.length === 0) return false;
        const after = withRanges(before, ranges, split);
        const frames = ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
        setSplits(captureId, after);
        try {
          const c = await sendTarget(captureId, before, after);
          if (c) get().applyCapture(c);
          pushHistory(captureId, { label: label ?? `Mark ${plural(frames, 'frame')} as ${split}`, before, after });
          return true;
        } catch (e) {
          setSplits(captureId, before);
          toast.error(errorMessage(e));
          await reloadSplits(captureId).catch(() => undefined);
          return false;
        }
      });
    },

    async excludeBlurry(captureId, relativeThreshold = 0.35) {
      await excludeBy(captureId, () => studio().client.call('captures.excludeBlurry', { captureId, relativeThreshold }), {
        noun: 'blurry frame',
        already: 'The blurry frames were already excluded.',
        none: 'No blurry frames found: every frame is sharp enough.',
      });
    },

    async excludeBadlyTracked(captureId, maxFitErrorPx = 4) {
      await excludeBy(captureId, () => studio().client.call('tracking.excludeBadlyTracked', { captureId, maxFitErrorPx }), {
        noun: 'badly tracked frame',
        already: 'The badly tracked frames were already excluded.',
        none: `No badly tracked frames: every kept frame has a face and fits within ${maxFitErrorPx} px.`,
      });
    },

    async proposeSplit(captureId, testFraction = 0.2, opts = {}) {
      return enqueue(captureId, async () => {
        const before = currentSplits(captureId);
        if (!before) return false;
        try {
          const c = await studio().client.call('captures.proposeSplit', { captureId, testFraction });
          get().applyCapture(c);
          const after = await reloadSplits(captureId);
          if (after) pushHistory(captureId, { label: `Propose the last ${Math.round(testFraction * 100)}% as test`, before, after });
          if (!opts.quiet) toast.success(`The last ${Math.round(testFraction * 100)}% of the usable frames are now test frames.`, { label: 'Undo', run: () => void get().undo(captureId) });
          return true;
        } catch (e) {
          toast.error(errorMessage(e));
          return false;
        }
      });
    },

    undo: (captureId) => travel(captureId, 'undo'),
    redo: (captureId) => travel(captureId, 'redo'),

    async rename(id, name) {
      try {
        get().applyCapture(await studio().client.call('captures.rename', { id, name }));
        return null;
      } catch (e) {
        return errorMessage(e);
      }
    },

    async remove(capture) {
      try {
        await studio().client.call('captures.delete', { id: capture.id });
        set((s) => {
          const p = s.byProject[capture.projectId];
          const { [capture.id]: _f, ...frames } = s.frames;
          const { [capture.id]: _h, ...history } = s.history;
          return {
            frames,
            history,
            byProject: p ? { ...s.byProject, [capture.projectId]: { ...p, captures: p.captures.filter((c) => c.id !== capture.id) } } : s.byProject,
          };
        });
        toast.success(`Deleted “${capture.name}”`);
        return true;
      } catch (e) {
        toast.error(errorMessage(e));
        return false;
      }
    },

    setUpload(u) {
      set((s) => {
        const i = s.uploads.findIndex((x) => x.id === u.id);
        const uploads = s.uploads.slice();
        if (i === -1) uploads.push(u);
        else uploads[i] = u;
        return { uploads };
      });
    },
    removeUpload(id) {
      set((s) => ({ uploads: s.uploads.filter((u) => u.id !== id) }));
    },
    markImported(projectId, captureId) {
      set((s) => ({ justImported: { ...s.justImported, [projectId]: captureId } }));
    },
    clearImported(projectId) {
      set((s) => {
        const { [projectId]: _gone, ...rest } = s.justImported;
        return { justImported: rest };
      });
    },
  };
});

/**
 * Re-reads a project's captures when the host says they changed. Frames are re-read only for captures being
 * reviewed whose counts differ from what this window holds (its own edits arrive as events too).
 */
export function refreshCaptures(projectId: string, captureIds: string[]): void {
  const s = useCaptures.getState();
  if (!s.byProject[projectId]) return;
  void s.loadList(projectId).then(() => {
    const st = useCaptures.getState();
    for (const c of st.byProject[projectId]?.captures ?? []) {
      if (captureIds.length > 0 && !captureIds.includes(c.id)) continue;
      const f = st.frames[c.id];
      if (!f || st.pending[c.id]) continue;
      const local = countSplits(f.splits);
      const same = f.splits.length === c.frameCount && local.train === c.splitCounts.train && local.test === c.splitCounts.test && local.excluded === c.splitCounts.excluded;
      if (!same) void st.loadFrames(c);
    }
  });
}
