import { describe, expect, it } from 'vitest';
import { matchesCombo } from './keys';
import { SHORTCUTS } from './registry';

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) =>
  ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods }) as KeyboardEvent;

describe('shortcut matching', () => {
  it('letters match either case but not with modifiers they do not name', () => {
    expect(matchesCombo(key('n'), 'N')).toBe(true);
    expect(matchesCombo(key('n', { ctrlKey: true }), 'N')).toBe(false);
    expect(matchesCombo(key('n', { ctrlKey: true }), 'Mod+N')).toBe(true);
    expect(matchesCombo(key('n', { metaKey: true }), 'Mod+N')).toBe(true);
    expect(matchesCombo(key('N', { shiftKey: true }), 'N')).toBe(false);
  });
  it('symbols match whatever Shift the layout needs', () => {
    expect(matchesCombo(key('?', { shiftKey: true }), '?')).toBe(true);
    expect(matchesCombo(key('/'), '/')).toBe(true);
    expect(matchesCombo(key(',', { ctrlKey: true }), 'Mod+,')).toBe(true);
  });
  it('named keys', () => {
    expect(matchesCombo(key('F2'), 'F2')).toBe(true);
    expect(matchesCombo(key('Delete'), 'Delete')).toBe(true);
    expect(matchesCombo(key('Backspace', { metaKey: true }), 'Mod+Backspace')).toBe(true);
    expect(matchesCombo(key('Backspace'), 'Mod+Backspace')).toBe(false);
  });
  it('no two shortcuts of the same scope share a key', () => {
    const seen = new Map<string, string>();
    for (const [id, def] of Object.entries(SHORTCUTS)) {
      if ('docOnly' in def && def.docOnly) continue;
      for (const k of def.keys) {
        const scope = def.group === 'General' ? ['Library', 'Project'] : [def.group];
        for (const s of scope) {
          const at = `${s}:${k}`;
          expect(seen.get(at), `${id} and ${seen.get(at)} both use ${k}`).toBeUndefined();
          seen.set(at, id);
        }
      }
    }
  });
});
