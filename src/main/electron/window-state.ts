/**
 * Window size and position, remembered between runs and fitted to the displays present now (a monitor may have
 * been unplugged, or the resolution changed). Pure geometry + a JSON file; main.ts feeds it `screen` data.
 */
import { readJsonFile, writeJsonFile } from './json-file';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Normal (not maximised) bounds; x/y absent means "centre it". */
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
  fullScreen: boolean;
}

export const DEFAULT_WINDOW: WindowState = { bounds: { width: 1440, height: 900 }, maximized: false, fullScreen: false };
export const MIN_SIZE = { width: 960, height: 600 };
/** How much of the title-bar strip must be on a display for the saved position to be kept. */
const MIN_VISIBLE = 64;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads a saved state, dropping anything malformed (a hand-edited or truncated file must not break startup). */
export function parseWindowState(raw: unknown): WindowState {
  if (typeof raw !== 'object' || raw === null) return structuredClone(DEFAULT_WINDOW);
  const r = raw as { bounds?: unknown; maximized?: unknown; fullScreen?: unknown };
  const b = (typeof r.bounds === 'object' && r.bounds !== null ? r.bounds : {}) as Record<string, unknown>;
  const width = finite(b.width) && b.width > 0 ? Math.round(b.width) : DEFAULT_WINDOW.bounds.width;
  const height = finite(b.height) && b.height > 0 ? Math.round(b.height) : DEFAULT_WINDOW.bounds.height;
  const bounds: WindowState['bounds'] = { width, height };
  if (finite(b.x) && finite(b.y)) {
    bounds.x = Math.round(b.x);
    bounds.y = Math.round(b.y);
  }
  return { bounds, maximized: r.maximized === true, fullScreen: r.fullScreen === true };
}

function overlap(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const r = Math.min(a.x + a.width, b.x + b.width);
  const bt = Math.min(a.y + a.height, b.y + b.height);
  return r > x && bt > y ? { x, y, width: r - x, height: bt - y } : null;
}

/**
 * Bounds to open the window with: the saved size shrunk to fit the display it is on (or the primary display), and
 * the saved position kept only if enough of the window's top strip is on some display's work area; otherwise the
 * window is centred on the primary display. `workAreas[0]` is the primary display.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[]): Rect {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: DEFAULT_WINDOW.bounds.width, height: DEFAULT_WINDOW.bounds.height };
  const { x, y } = state.bounds;
  let target = primary;
  let keepPosition = false;
  if (x !== undefined && y !== undefined) {
    const titleStrip: Rect = { x, y, width: state.bounds.width, height: 32 };
    for (const area of workAreas) {
      const o = overlap(titleStrip, area);
      if (o && o.width >= Math.min(MIN_VISIBLE, state.bounds.width) && o.height >= 16) {
        target = area;
        keepPosition = true;
        break;
      }
    }
  }
  const width = Math.max(Math.min(state.bounds.width, target.width), Math.min(MIN_SIZE.width, target.width));
  const height = Math.max(Math.min(state.bounds.height, target.height), Math.min(MIN_SIZE.height, target.height));
  if (keepPosition) {
    // Keep it where it was, but pulled inside the display it is mostly on.
    const nx = Math.min(Math.max(x!, target.x), target.x + target.width - width);
    const ny = Math.min(Math.max(y!, target.y), target.y + target.height - height);
    return { x: nx, y: ny, width, height };
  }
  return { x: Math.round(primary.x + (primary.width - width) / 2), y: Math.round(primary.y + (primary.height - height) / 2), width, height };
}

export class WindowStateStore {
  constructor(private readonly file: string) {}

  load(): WindowState {
    return parseWindowState(readJsonFile(this.file));
  }

  save(state: WindowState): void {
    writeJsonFile(this.file, parseWindowState(state));
  }
}

/** Calls `fn` at most once per `ms`, trailing (window move/resize events come in bursts). */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { flush(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: A | null = null;
  const run = () => {
    timer = null;
    if (last) fn(...last);
    last = null;
  };
  const d = (...args: A) => {
    last = args;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  d.flush = () => {
    if (timer) clearTimeout(timer);
    run();
  };
  return d;
}
