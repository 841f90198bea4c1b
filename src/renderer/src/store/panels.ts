import { create } from 'zustand';

/** Which overlays are open. One modal at a time; the jobs panel is a side drawer and can stay open. */
export type Modal = { kind: 'help' } | { kind: 'settings' } | { kind: 'newProject' } | { kind: 'emptyTrash' } | { kind: 'export'; projectId: string; avatarId: string } | null;

interface PanelState {
  modal: Modal;
  jobsOpen: boolean;
  openModal(m: Exclude<Modal, null>): void;
  closeModal(): void;
  setJobsOpen(open: boolean): void;
  toggleJobs(): void;
}

export const usePanels = create<PanelState>((set) => ({
  modal: null,
  jobsOpen: false,
  openModal: (modal) => set({ modal }),
  closeModal: () => set({ modal: null }),
  setJobsOpen: (jobsOpen) => set({ jobsOpen }),
  toggleJobs: () => set((s) => ({ jobsOpen: !s.jobsOpen })),
}));
