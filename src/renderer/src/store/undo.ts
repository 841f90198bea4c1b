import { create } from 'zustand';

/** Undo for the actions where it matters (move to trash, rename). Ctrl/⌘+Z runs the newest entry. */
export interface UndoEntry {
  label: string;
  undo: () => Promise<unknown> | unknown;
}

interface UndoState {
  stack: UndoEntry[];
  push(entry: UndoEntry): void;
  /** Removes and runs the newest entry; false when there was nothing to undo. */
  undoLast(): Promise<boolean>;
  remove(entry: UndoEntry): void;
}

const MAX_UNDO = 20;

export const useUndo = create<UndoState>((set, get) => ({
  stack: [],
  push(entry) {
    set((s) => ({ stack: [...s.stack, entry].slice(-MAX_UNDO) }));
  },
  async undoLast() {
    const entry = get().stack.at(-1);
    if (!entry) return false;
    set((s) => ({ stack: s.stack.slice(0, -1) }));
    await entry.undo();
    return true;
  },
  remove(entry) {
    set((s) => ({ stack: s.stack.filter((e) => e !== entry) }));
  },
}));
