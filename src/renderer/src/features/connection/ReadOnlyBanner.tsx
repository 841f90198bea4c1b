import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { useConnection } from '../../store/connection';
import { usePanels } from '../../store/panels';

/** Explains, once and at the top, why editing is off. */
export function ReadOnlyBanner() {
  const library = useConnection((s) => s.library);
  const openModal = usePanels((s) => s.openModal);
  if (!library?.readOnly) return null;
  return (
    <div className="banner banner-warning" role="status">
      <Icon name="lock" />
      <span>
        <strong>Read-only library.</strong> {library.readOnlyReason ?? 'The studio cannot write to this library.'} You can browse, but not change anything.
      </span>
      <Button size="sm" variant="ghost" onClick={() => openModal({ kind: 'settings' })}>
        Library settings…
      </Button>
    </div>
  );
}
