import { usePanels } from '../../store/panels';
import { ExportDialog } from '../export/ExportDialog';
import { EmptyTrashDialog } from '../library/EmptyTrashDialog';
import { NewProjectDialog } from '../library/NewProjectDialog';
import { SettingsDialog } from '../settings/SettingsDialog';
import { ShortcutsHelp } from '../shortcuts/ShortcutsHelp';

/** The one modal open at a time, if any. */
export function Modals() {
  const modal = usePanels((s) => s.modal);
  switch (modal?.kind) {
    case 'help':
      return <ShortcutsHelp />;
    case 'settings':
      return <SettingsDialog />;
    case 'newProject':
      return <NewProjectDialog />;
    case 'emptyTrash':
      return <EmptyTrashDialog />;
    case 'export':
      return <ExportDialog key={modal.avatarId} projectId={modal.projectId} avatarId={modal.avatarId} onClose={() => usePanels.getState().closeModal()} />;
    default:
      return null;
  }
}
