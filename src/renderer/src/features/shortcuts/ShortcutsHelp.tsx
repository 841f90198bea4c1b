import { Dialog } from '../../components/Dialog';
import { Kbd } from '../../components/Kbd';
import { usePanels } from '../../store/panels';
import { SHORTCUTS, SHORTCUT_GROUPS, type ShortcutDef } from './registry';

/** The `?` overlay: every shortcut, grouped, straight from the registry the handlers use. */
export function ShortcutsHelp() {
  const close = usePanels((s) => s.closeModal);
  const all = Object.values(SHORTCUTS) as ShortcutDef[];
  return (
    <Dialog title="Keyboard shortcuts" size="lg" onClose={close}>
      <div className="shortcut-groups">
        {SHORTCUT_GROUPS.map((group) => (
          <section key={group} className="shortcut-group" aria-labelledby={`shortcuts-${group}`}>
            <h3 id={`shortcuts-${group}`}>{group}</h3>
            <dl className="shortcut-list">
              {all
                .filter((s) => s.group === group)
                .map((s) => (
                  <div key={s.label} className="shortcut-row">
                    <dt>{s.label}</dt>
                    <dd>
                      {s.keys.map((k, i) => (
                        <span key={k}>
                          {i > 0 && <span className="shortcut-or">{s.keys.length === 4 ? '' : 'or'}</span>}
                          <Kbd combo={k} />
                        </span>
                      ))}
                    </dd>
                  </div>
                ))}
            </dl>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
