import { useState } from 'react';
import { Button } from '../../components/Button';
import { useConnection } from '../../store/connection';
import { navigate } from '../../store/route';

/** A field to open another library folder (library.open); the folder is created when missing, if asked. */
export function LibrarySwitcher() {
  const current = useConnection((s) => s.library?.path ?? '');
  const disconnected = useConnection((s) => s.status !== 'open');
  const [path, setPath] = useState('');
  const [create, setCreate] = useState(true);
  const [busy, setBusy] = useState(false);
  const trimmed = path.trim();

  return (
    <form
      className="form library-switcher"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!trimmed || busy) return;
        setBusy(true);
        const ok = await useConnection.getState().openLibrary(trimmed, create);
        setBusy(false);
        if (ok) {
          setPath('');
          navigate({ name: 'library' });
        }
      }}
    >
      <label className="field">
        <span className="field-label">Switch to another library folder</span>
        <div className="field-row">
          <input
            className="input mono"
            value={path}
            placeholder={current || '/path/to/library'}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setPath(e.target.value)}
          />
          <Button
            type="submit"
            variant="primary"
            busy={busy}
            disabledReason={disconnected ? 'Not connected to the studio.' : !trimmed ? 'Type the full path of a folder first.' : null}
          >
            Open library
          </Button>
        </div>
        <span className="field-hint">The full path of a folder on the machine running the studio. The studio remembers it for the next start.</span>
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={create} onChange={(e) => setCreate(e.target.checked)} />
        <span>Create a new library there if the folder has none</span>
      </label>
    </form>
  );
}
