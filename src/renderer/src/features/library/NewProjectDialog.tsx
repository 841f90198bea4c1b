import { useState } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { matchesQuery } from '../../lib/search';
import { useReadOnlyReason } from '../../store/connection';
import { usePanels } from '../../store/panels';
import { useProjects } from '../../store/projects';
import { navigate } from '../../store/route';
import { toast } from '../../store/toasts';
import { defaultProjectName, useLibraryUi } from './libraryUi';

/**
 * Asks for a name (a sensible default is filled in and selected), creates the project and opens it (the library
 * selects it too, so going back lands on its card).
 */
export function NewProjectDialog() {
  const close = usePanels((s) => s.closeModal);
  const existing = useProjects((s) => s.live);
  const readOnly = useReadOnlyReason();
  const [name, setName] = useState(() => defaultProjectName(existing));
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy || readOnly) return;
    setBusy(true);
    const project = await useProjects.getState().create(name);
    setBusy(false);
    if (!project) return;
    close();
    const ui = useLibraryUi.getState();
    if (!matchesQuery(project.name, ui.query)) ui.setQuery('');
    ui.select(project.id);
    navigate({ name: 'project', id: project.id });
    toast.success(`Created “${project.name}”`);
  };

  return (
    <Dialog
      title="New project"
      size="sm"
      onClose={close}
      footer={
        <>
          <Button variant="ghost" onClick={close}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="new-project-form" busy={busy} disabledReason={readOnly}>
            Create project
          </Button>
        </>
      }
    >
      <form
        id="new-project-form"
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span className="field-label">Project name</span>
          <input className="input" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-autofocus required />
          <span className="field-hint">One project holds the footage, tracking and avatar of one person. You can rename it later.</span>
        </label>
      </form>
    </Dialog>
  );
}
