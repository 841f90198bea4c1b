import { useState } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { formatBytes, plural } from '../../lib/format';
import { usePanels } from '../../store/panels';
import { useProjects } from '../../store/projects';

/** Confirms deleting everything in the Trash for good; the deletion runs as a job. */
export function EmptyTrashDialog() {
  const close = usePanels((s) => s.closeModal);
  const trash = useProjects((s) => s.trash);
  const [busy, setBusy] = useState(false);
  const bytes = trash.reduce((n, p) => n + p.sizeBytes, 0);

  return (
    <Dialog
      title="Empty the Trash?"
      size="sm"
      onClose={close}
      description={
        <>
          {plural(trash.length, 'project')} ({formatBytes(bytes)}) will be deleted for good, with all their footage and avatars. This cannot be undone.
        </>
      }
      footer={
        <>
          <Button variant="ghost" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button
            variant="danger"
            busy={busy}
            onClick={async () => {
              setBusy(true);
              const ok = await useProjects.getState().emptyTrash();
              setBusy(false);
              if (ok) close();
            }}
          >
            Delete for good
          </Button>
        </>
      }
    />
  );
}
