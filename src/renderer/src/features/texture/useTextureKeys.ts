import { useEffect, useRef, useState } from 'react';
import { isShortcut, pageMayTakeKey } from '../shortcuts/pageKeys';
import type { ShortcutId } from '../shortcuts/registry';
import { useTextureDocument, type TextureTool } from './documentStore';

const TOOL_KEYS: [ShortcutId, TextureTool][] = [
  ['textureBrush', 'brush'],
  ['textureEraser', 'eraser'],
  ['textureFill', 'fill'],
  ['texturePicker', 'picker'],
  ['textureSticker', 'sticker'],
];

/**
 * The texture editor's keys (the registry's Texture group), in the capture phase so Mod+Z undoes texture edits
 * rather than the shell's last move to Trash. Answers whether Space is held (pan with the left button).
 */
export function useTextureKeys(view: { fit(): void; actual(): void } | null, enabled: boolean): boolean {
  const [space, setSpace] = useState(false);
  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    if (!enabled) return;
    const is = isShortcut;
    const onKey = (e: KeyboardEvent) => {
      if (!pageMayTakeKey(e)) return;
      const s = useTextureDocument.getState();
      let handled = true;
      if (e.key === ' ') setSpace(true);
      else if (e.repeat && !is(e, 'textureBrushSize')) handled = is(e, 'textureUndo') || is(e, 'textureRedo');
      else if (is(e, 'textureRedo')) s.redo();
      else if (is(e, 'textureUndo')) s.undo();
      else if (is(e, 'textureBrushSize')) s.setBrush({ size: Math.max(1, Math.min(512, Math.round(s.brush.size * (e.key === '[' ? 1 / 1.2 : 1.2)) + (e.key === '[' ? 0 : 1))) });
      else if (is(e, 'textureFit')) viewRef.current?.fit();
      else if (is(e, 'textureActual')) viewRef.current?.actual();
      else {
        const tool = TOOL_KEYS.find(([id]) => is(e, id));
        if (tool) s.setTool(tool[1]);
        else handled = false;
      }
      if (handled) {
        // preventDefault keeps the shell's shortcuts (useShortcut skips handled events) from acting on the key; only
        // undo/redo also stop here, so the 3D view still sees I held for its pick-click.
        e.preventDefault();
        if (is(e, 'textureUndo') || is(e, 'textureRedo')) e.stopPropagation();
      }
    };
    const onUp = (e: KeyboardEvent) => {
      if (e.key === ' ') setSpace(false);
    };
    const onBlur = () => setSpace(false);
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('keyup', onUp, true);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('keyup', onUp, true);
      window.removeEventListener('blur', onBlur);
    };
  }, [enabled]);
  return space;
}
