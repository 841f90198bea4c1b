/**
 * The 2D editor's view: `zoom` screen pixels per texel, `x`, `y` = the screen position of the map's top-left corner
 * (UV (0, 0); rows go down with v, as in the files). Pure, no DOM.
 */
export interface View {
  zoom: number;
  x: number;
  y: number;
}

export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 64;

export function fitView(mapSize: number, width: number, height: number, margin = 16): View {
  const zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, Math.min(width - 2 * margin, height - 2 * margin) / mapSize));
  return { zoom, x: (width - mapSize * zoom) / 2, y: (height - mapSize * zoom) / 2 };
}

/** 1:1 (one texel per screen pixel), keeping the point under the view's centre. */
export function actualSize(view: View, width: number, height: number): View {
  return zoomAt(view, 1 / view.zoom, width / 2, height / 2);
}

/** Multiplies the zoom by `factor`, keeping the map point under (sx, sy) where it is. */
export function zoomAt(view: View, factor: number, sx: number, sy: number): View {
  const zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, view.zoom * factor));
  const k = zoom / view.zoom;
  return { zoom, x: sx - (sx - view.x) * k, y: sy - (sy - view.y) * k };
}

export function screenToUv(view: View, mapSize: number, sx: number, sy: number): { u: number; v: number } {
  return { u: (sx - view.x) / (view.zoom * mapSize), v: (sy - view.y) / (view.zoom * mapSize) };
}

export function uvToScreen(view: View, mapSize: number, uv: { u: number; v: number }): { x: number; y: number } {
  return { x: view.x + uv.u * mapSize * view.zoom, y: view.y + uv.v * mapSize * view.zoom };
}
