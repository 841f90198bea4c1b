import { isMac } from '../../lib/platform';

interface Combo {
  mod: boolean;
  shift: boolean;
  alt: boolean;
  key: string;
}

const KEY_ALIASES: Record<string, string> = { '←': 'ArrowLeft', '→': 'ArrowRight', '↑': 'ArrowUp', '↓': 'ArrowDown', Esc: 'Escape', Del: 'Delete', Space: ' ' };

export function parseCombo(text: string): Combo {
  const parts = text === '+' ? ['+'] : text.split('+');
  const key = parts.pop() ?? '';
  return {
    mod: parts.includes('Mod'),
    shift: parts.includes('Shift'),
    alt: parts.includes('Alt'),
    key: KEY_ALIASES[key] ?? key,
  };
}

/** Whether a keydown matches a combo such as "Mod+N", "?", "F2" or "Delete". */
export function matchesCombo(e: KeyboardEvent, text: string): boolean {
  const c = parseCombo(text);
  if ((e.ctrlKey || e.metaKey) !== c.mod) return false;
  if (e.altKey !== c.alt) return false;
  const single = c.key.length === 1;
  const letter = single && /[a-z]/i.test(c.key);
  // A printable symbol such as ? or / is typed with whatever modifiers the layout needs; letters and named keys
  // must match Shift exactly.
  if ((letter || !single) && e.shiftKey !== c.shift) return false;
  return single ? e.key.toLowerCase() === c.key.toLowerCase() : e.key === c.key;
}

/** How a combo is written in the UI, one string per key cap: ["Ctrl", "N"] or ["⌘", "N"]. */
export function keyCaps(text: string): string[] {
  if (!text.includes('+') || text === '+') return [displayKey(text)];
  const parts = text.split('+');
  return parts.map((p) => (p === 'Mod' ? (isMac ? '⌘' : 'Ctrl') : p === 'Shift' ? (isMac ? '⇧' : 'Shift') : p === 'Alt' ? (isMac ? '⌥' : 'Alt') : displayKey(p)));
}

function displayKey(k: string): string {
  if (k === 'Escape') return 'Esc';
  if (k === 'Backspace') return isMac ? '⌫' : 'Backspace';
  if (k === 'Delete') return isMac ? '⌦' : 'Delete';
  return k;
}
