import { useEffect, useRef } from 'react';
import { isTypingTarget } from '../../lib/platform';
import { usePanels } from '../../store/panels';
import { matchesCombo } from './keys';
import { SHORTCUTS, type ShortcutId } from './registry';

/**
 * Binds a shortcut from the registry while the calling component is mounted (and `enabled`). Shortcuts do not
 * fire while a modal dialog is open, nor while typing in a text field unless the shortcut says so.
 */
export function useShortcut(id: ShortcutId, handler: (e: KeyboardEvent) => void, enabled = true): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!enabled) return;
    const def = SHORTCUTS[id] as (typeof SHORTCUTS)[ShortcutId] & { inInputs?: boolean; repeat?: boolean };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      if (e.repeat && !def.repeat) return;
      // A dialog opened by a page (Bake, Delete capture…) is not a `usePanels` modal: Esc there closes it, not the page.
      if (usePanels.getState().modal !== null || document.querySelector('dialog[open]')) return;
      if (!def.inInputs && isTypingTarget(e.target)) return;
      if (!def.keys.some((k) => matchesCombo(e, k))) return;
      e.preventDefault();
      ref.current(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [id, enabled]);
}
