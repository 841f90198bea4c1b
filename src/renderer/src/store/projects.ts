import { create } from 'zustand';
import type { StudioErrorShape } from '@shared/api/errors';
import type { Project } from '@shared/model/project';
import { errorMessage, toErrorShape } from '../lib/errors';
import { useJobs } from './jobs';
import { usePanels } from './panels';
import { studio } from './studio';
import { toast } from './toasts';
import { useUndo } from './undo';

export type ListState = { loaded: boolean; loading: boolean; error: StudioErrorShape | null };
const initialList: ListState = { loaded: false, loading: false, error: null };

export type RenameOutcome = { ok: true; project: Project } | { ok: false; message: string };

interface ProjectsState {
  live: Project[];
  trash: Project[];
  liveState: ListState;
  trashState: ListState;
  /** Projects fetched one by one (the project view), kept fresh by projects.changed. */
  byId: Record<string, { project: Project | null; error: StudioErrorShape | null }>;

  loadLive(): Promise<void>;
  loadTrash(): Promise<void>;
  loadOne(id: string): Promise<void>;
  /** Re-reads what the UI shows after `projects.changed` (or a reconnect). */
  refresh(ids?: string[]): Promise<void>;

  create(name: string): Promise<Project | null>;
  rename(id: string, name: string, opts?: { undoable?: boolean }): Promise<RenameOutcome>;
  moveToTrash(id: string): Promise<boolean>;
  restore(id: string, opts?: { quiet?: boolean }): Promise<boolean>;
  duplicate(id: string): Promise<boolean>;
  emptyTrash(): Promise<boolean>;
}

function upsertInto(list: Project[], p: Project): Project[] {
  const i = list.findIndex((x) => x.id === p.id);
  if (i === -1) return [p, ...list];
  const next = list.slice();
  next[i] = p;
  return next;
}

const without = (list: Project[], id: string) => list.filter((p) => p.id !== id);

export const useProjects = create<ProjectsState>((set, get) => {
  /** Applies a project as the host returned it to every list and cache that shows it. */
  const applyProject = (p: Project) =>
    set((s) => ({
      live: p.trashedAt === null ? upsertInto(s.live, p) : without(s.live, p.id),
      trash: p.trashedAt !== null ? upsertInto(s.trash, p) : without(s.trash, p.id),
      byId: { ...s.byId, [p.id]: { project: p, error: null } },
    }));

  let liveSeq = 0;
  let trashSeq = 0;

  return {
    live: [],
    trash: [],
    liveState: initialList,
    trashState: initialList,
    byId: {},

    async loadLive() {
      const seq = ++liveSeq;
      set((s) => ({ liveState: { ...s.liveState, loading: true } }));
      try {
        const live = await studio().client.call('projects.list', { trashed: false });
        if (seq === liveSeq) set({ live, liveState: { loaded: true, loading: false, error: null } });
      } catch (e) {
        if (seq === liveSeq) set((s) => ({ liveState: { loaded: s.liveState.loaded, loading: false, error: toErrorShape(e) } }));
      }
    },

    async loadTrash() {
      const seq = ++trashSeq;
      set((s) => ({ trashState: { ...s.trashState, loading: true } }));
      try {
        const trash = await studio().client.call('projects.list', { trashed: true });
        if (seq === trashSeq) set({ trash, trashState: { loaded: true, loading: false, error: null } });
      } catch (e) {
        if (seq === trashSeq) set((s) => ({ trashState: { loaded: s.trashState.loaded, loading: false, error: toErrorShape(e) } }));
      }
    },

    async loadOne(id) {
      try {
        const project = await studio().client.call('projects.get', { id });
        set((s) => ({ byId: { ...s.byId, [id]: { project, error: null } } }));
      } catch (e) {
        set((s) => ({ byId: { ...s.byId, [id]: { project: null, error: toErrorShape(e) } } }));
      }
    },

    async refresh(ids) {
      const { byId } = get();
      const one = Object.keys(byId).filter((id) => !ids || ids.includes(id));
      await Promise.all([get().loadLive(), get().loadTrash(), ...one.map((id) => get().loadOne(id))]);
    },

    async create(name) {
      try {
        const project = await studio().client.call('projects.create', { name });
        applyProject(project);
        return project;
      } catch (e) {
        toast.error(errorMessage(e));
        return null;
      }
    },

    async rename(id, name, opts = {}) {
      const before = get().byId[id]?.project ?? get().live.find((p) => p.id === id) ?? get().trash.find((p) => p.id === id);
      try {
        const project = await studio().client.call('projects.rename', { id, name });
        applyProject(project);
        if (opts.undoable !== false && before && before.name !== project.name) {
          useUndo.getState().push({
            label: `Rename “${project.name}” back to “${before.name}”`,
            undo: () => get().rename(id, before.name, { undoable: false }),
          });
        }
        return { ok: true, project };
      } catch (e) {
        return { ok: false, message: errorMessage(e) };
      }
    },

    async moveToTrash(id) {
      try {
        const project = await studio().client.call('projects.trash', { id });
        applyProject(project);
        const entry = {
          label: `Restore “${project.name}” from the Trash`,
          undo: () => get().restore(id),
        };
        useUndo.getState().push(entry);
        toast.info(`Moved “${project.name}” to the Trash`, {
          label: 'Undo',
          run: () => {
            useUndo.getState().remove(entry);
            void get().restore(id);
          },
        });
        return true;
      } catch (e) {
        toast.error(errorMessage(e));
        return false;
      }
    },

    async restore(id, opts = {}) {
      try {
        const project = await studio().client.call('projects.restore', { id });
        applyProject(project);
        if (!opts.quiet) toast.success(`Restored “${project.name}” to the library`);
        return true;
      } catch (e) {
        toast.error(errorMessage(e));
        return false;
      }
    },

    async duplicate(id) {
      try {
        const job = await studio().client.call('projects.duplicate', { id });
        useJobs.getState().upsert(job);
        usePanels.getState().setJobsOpen(true);
        return true;
      } catch (e) {
        toast.error(errorMessage(e));
        return false;
      }
    },

    async emptyTrash() {
      try {
        const job = await studio().client.call('projects.emptyTrash');
        useJobs.getState().upsert(job);
        usePanels.getState().setJobsOpen(true);
        return true;
      } catch (e) {
        toast.error(errorMessage(e));
        return false;
      }
    },
  };
});
