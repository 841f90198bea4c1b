import { create } from 'zustand';
import type { Job } from '@shared/model/job';
import { navigate } from '../../store/route';
import { toast } from '../../store/toasts';
import { importFootage, planImport, planIsEmpty, type FootagePick, type ImportChoice, type ImportPlan } from './importFootage';

/** The import waiting for the options dialog (several videos), shared by the button, the drop target and Mod+I. */
interface ImportFlowState {
  pending: { projectId: string; plan: ImportPlan } | null;
  begin(projectId: string, pick: FootagePick): void;
  confirm(choice: ImportChoice): void;
  cancel(): void;
}

export const DEFAULT_CHOICE: ImportChoice = { multiview: false, longSide: 1024 };

export const useImportFlow = create<ImportFlowState>((set, get) => ({
  pending: null,
  begin(projectId, pick) {
    const plan = planImport(pick);
    if (planIsEmpty(plan)) {
      toast.error('Nothing to import: choose video files, photos or a folder of images.');
      return;
    }
    navigate({ name: 'project', id: projectId, section: 'footage' });
    if (plan.videos.length > 1) {
      set({ pending: { projectId, plan } });
      return;
    }
    void importFootage(projectId, plan, DEFAULT_CHOICE);
  },
  confirm(choice) {
    const p = get().pending;
    set({ pending: null });
    if (p) void importFootage(p.projectId, p.plan, choice);
  },
  cancel() {
    set({ pending: null });
  },
}));

/** Opens the system file picker for footage. */
export function pickFootage(projectId: string, readOnly: string | null): void {
  if (readOnly) {
    toast.error(readOnly);
    return;
  }
  const input = document.getElementById('footage-file-input') as HTMLInputElement | null;
  if (input) {
    input.dataset.projectId = projectId;
    input.click();
  }
}

export const isImportJob = (j: Job) => j.kind === 'capture.import';
