import { isTypingTarget } from '../../lib/platform';
import { usePanels } from '../../store/panels';
import { matchesCombo } from './keys';
import { SHORTCUTS, type ShortcutId } from './registry';

/** Whether a keydown is one of the registry shortcut's combos. */
export const isShortcut = (e: KeyboardEvent, id: ShortcutId): boolean => SHORTCUTS[id].keys.some((k) => matchesCombo(e, k));

/**
 * Whether a page's own shortcuts (timeline, tracking review, texture editor) may take this keydown: not handled
 * already, not mid-composition, no modal or open dialog on top, and not typed into a field.
 */
export function pageMayTakeKey(e: KeyboardEvent): boolean {
  if (e.defaultPrevented || e.isComposing) return false;
  if (usePanels.getState().modal !== null || document.querySelector('dialog[open]')) return false;
  return !isTypingTarget(e.target);
}
