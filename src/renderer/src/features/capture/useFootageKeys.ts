import { useEffect, useRef } from 'react';
import type { FrameSplit } from '@shared/model/capture';
import { isShortcut, pageMayTakeKey } from '../shortcuts/pageKeys';
import type { ShortcutId } from '../shortcuts/registry';
import { useTimeline } from './timelineStore';
import { activePreviewView } from './previewZoom';

export interface FootageActions {
  mark(split: FrameSplit): void;
  excludeBlurry(): void;
  undo(): void;
  redo(): void;
  /** Whether this capture has split edits to undo / redo; when not, Mod+Z goes to the shell's undo. */
  canUndo(): boolean;
  canRedo(): boolean;
  importFootage(): void;
}

export function zoomTimeline(detail: 'in' | 'out' | 'fit'): void {
  window.dispatchEvent(new CustomEvent('footage-zoom', { detail }));
}

export function togglePlay(): void {
  const t = useTimeline.getState();
  if (t.rate !== 0) t.setRate(0);
  else {
    if (t.current >= t.frameCount - 1) t.seek(0);
    t.setRate(1);
  }
}

/**
 * The Footage keys (see the registry's Footage group). They listen in the capture phase so that, while the
 * timeline is on screen, J/K/L, T and Mod+Z mean transport, test and split undo rather than the shell's
 * Jobs panel, Library, Trash and undo.
 */
export function useFootageKeys(actions: FootageActions, enabled: boolean): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    if (!enabled) return;
    const is = isShortcut;
    const onKey = (e: KeyboardEvent) => {
      if (!pageMayTakeKey(e)) return;
      const t = useTimeline.getState();
      const a = ref.current;
      const sel = t.selection;
      let handled = true;
      const repeatable = is(e, 'footageStep') || is(e, 'footageStep10') || is(e, 'footageZoomIn') || is(e, 'footageZoomOut');
      if (e.repeat && !repeatable) {
        // Held keys repeat only where that means something; swallow the rest so they do not reach the shell.
        if (['footagePlay', 'footageReverse', 'footagePause', 'footageForward', 'footageExclude', 'footageTest', 'footageTrain'].some((id) => is(e, id as ShortcutId))) e.preventDefault();
        return;
      }
      if (is(e, 'footagePlay')) togglePlay();
      else if (is(e, 'footageStep10')) t.step(e.key === 'ArrowLeft' ? -10 : 10);
      else if (is(e, 'footageStep')) t.step(e.key === 'ArrowLeft' ? -1 : 1);
      else if (is(e, 'footageReverse')) t.setRate(t.rate >= 0 ? -1 : Math.max(-8, t.rate * 2));
      else if (is(e, 'footagePause')) t.setRate(0);
      else if (is(e, 'footageForward')) {
        if (t.rate <= 0 && t.current >= t.frameCount - 1) t.seek(0);
        t.setRate(t.rate <= 0 ? 1 : Math.min(8, t.rate * 2));
      } else if (is(e, 'footageEnds')) t.seek(e.key === 'Home' ? 0 : t.frameCount - 1);
      else if (is(e, 'footageInOut')) {
        // Like in and out points: I starts the selection here (keeping its end if that is later, else to the
        // last frame); O ends it here (keeping its start if that is earlier, else from the first frame).
        const isIn = e.key.toLowerCase() === 'i';
        const from = isIn ? t.current : sel && sel.from <= t.current ? sel.from : 0;
        const to = isIn ? (sel && sel.to >= t.current ? sel.to : t.frameCount - 1) : t.current;
        t.select({ from, to });
        t.setAnchor(Math.min(from, to));
      } else if (is(e, 'footageSelectAll')) {
        t.select({ from: 0, to: t.frameCount - 1 });
        t.setAnchor(0);
      } else if (is(e, 'footageClearSelection')) {
        if (!sel) return; // let Esc go back to the library when nothing is selected
        t.select(null);
      } else if (is(e, 'footageExclude')) a.mark('excluded');
      else if (is(e, 'footageTest')) a.mark('test');
      else if (is(e, 'footageTrain')) a.mark('train');
      else if (is(e, 'footageBlurry')) a.excludeBlurry();
      else if (is(e, 'footageRedo')) {
        if (!a.canRedo()) return;
        a.redo();
      } else if (is(e, 'footageUndo')) {
        if (!a.canUndo()) return;
        a.undo();
      }
      // + / − / 0 zoom the frame preview while the pointer is over it (or it has the focus), else the timeline.
      else if (is(e, 'footageZoomIn')) (activePreviewView() ?? zoomTimeline)('in');
      else if (is(e, 'footageZoomOut')) (activePreviewView() ?? zoomTimeline)('out');
      else if (is(e, 'footageFit')) (activePreviewView() ?? zoomTimeline)('fit');
      else if (is(e, 'footageImport')) a.importFootage();
      else handled = false;
      if (handled) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [enabled]);
}

/** Plays at the capture's rate × the J/K/L rate while `rate` is not 0; stops at either end. */
export function usePlayback(fps: number | null): void {
  const rate = useTimeline((s) => s.rate);
  useEffect(() => {
    if (rate === 0) return;
    const perSecond = (fps && fps > 0 ? fps : 10) * rate;
    let last = performance.now();
    let acc = 0;
    let raf = requestAnimationFrame(function tick(now) {
      acc += ((now - last) / 1000) * perSecond;
      last = now;
      const whole = acc > 0 ? Math.floor(acc) : Math.ceil(acc);
      if (whole !== 0) {
        acc -= whole;
        const t = useTimeline.getState();
        const next = t.current + whole;
        if (next < 0 || next > t.frameCount - 1) {
          t.seek(next < 0 ? 0 : t.frameCount - 1);
          return;
        }
        t.seek(next, { keepPlaying: true });
      }
      raf = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(raf);
  }, [rate, fps]);
}
