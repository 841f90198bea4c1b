import { usePanels } from '../../store/panels';
import { navigate } from '../../store/route';
import { toast } from '../../store/toasts';
import { useUndo } from '../../store/undo';
import { useShortcut } from '../shortcuts/useShortcut';

/** Shortcuts that work on every page. */
export function GlobalShortcuts() {
  const { openModal, toggleJobs } = usePanels.getState();
  useShortcut('help', () => openModal({ kind: 'help' }));
  useShortcut('settings', () => openModal({ kind: 'settings' }));
  useShortcut('jobs', toggleJobs);
  useShortcut('goLibrary', () => navigate({ name: 'library' }));
  useShortcut('goTrash', () => navigate({ name: 'trash' }));
  useShortcut('undo', async () => {
    const entry = useUndo.getState().stack.at(-1);
    if (!entry) {
      toast.info('Nothing to undo.');
      return;
    }
    await useUndo.getState().undoLast();
  });
  return null;
}
