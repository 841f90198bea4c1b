/**
 * Pointer and wheel input → an `Orbit` (native/engine/view/orbit-camera.ts): drag turns (yaw/pitch), right- or shift-drag pans the
 * target in the view plane, the wheel zooms; arrow keys turn, +/− zoom. Calls `onChange` after each change.
 */
import type { Orbit } from '@engine/view/orbit-camera';

export class OrbitControls {
  orbit: Orbit;
  private drag: { x: number; y: number; pan: boolean } | null = null;

  constructor(
    private readonly el: HTMLElement,
    private readonly home: Orbit,
    private readonly onChange: () => void,
  ) {
    this.orbit = { ...home, target: [...home.target] as [number, number, number] };
    el.tabIndex = 0;
    el.addEventListener('pointerdown', (e) => {
      el.setPointerCapture(e.pointerId);
      this.drag = { x: e.clientX, y: e.clientY, pan: e.button === 2 || e.shiftKey };
    });
    el.addEventListener('pointermove', (e) => {
      if (!this.drag) return;
      const dx = e.clientX - this.drag.x, dy = e.clientY - this.drag.y;
      this.drag.x = e.clientX;
      this.drag.y = e.clientY;
      if (this.drag.pan) this.pan(dx, dy);
      else this.turn(-dx * 0.01, dy * 0.01);
    });
    const end = () => (this.drag = null);
    el.addEventListener('pointerup', end);
    el.addEventListener('pointercancel', end);
    el.addEventListener('contextmenu', (e) => e.preventDefault());
    el.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        this.zoom(Math.exp(e.deltaY * 0.001));
      },
      { passive: false },
    );
    el.addEventListener('keydown', (e) => {
      const step = 0.1;
      if (e.key === 'ArrowLeft') this.turn(step, 0);
      else if (e.key === 'ArrowRight') this.turn(-step, 0);
      else if (e.key === 'ArrowUp') this.turn(0, step);
      else if (e.key === 'ArrowDown') this.turn(0, -step);
      else if (e.key === '+' || e.key === '=') this.zoom(0.9);
      else if (e.key === '-') this.zoom(1 / 0.9);
      else return;
      e.preventDefault();
    });
  }

  reset(): void {
    this.orbit = { ...this.home, target: [...this.home.target] as [number, number, number] };
    this.onChange();
  }

  turn(dYaw: number, dPitch: number): void {
    const lim = Math.PI / 2 - 0.05;
    this.orbit = { ...this.orbit, yaw: this.orbit.yaw + dYaw, pitch: Math.max(-lim, Math.min(lim, this.orbit.pitch + dPitch)) };
    this.onChange();
  }

  zoom(factor: number): void {
    this.orbit = { ...this.orbit, distance: Math.max(this.home.distance * 0.1, Math.min(this.home.distance * 10, this.orbit.distance * factor)) };
    this.onChange();
  }

  /** Moves the target by a drag of (dx, dy) CSS pixels, about one head-width per canvas height. */
  private pan(dx: number, dy: number): void {
    const o = this.orbit;
    const s = (o.distance * 0.5) / Math.max(1, this.el.clientHeight);
    const right = [Math.cos(o.yaw), 0, -Math.sin(o.yaw)];
    const up = [-Math.sin(o.pitch) * Math.sin(o.yaw), Math.cos(o.pitch), -Math.sin(o.pitch) * Math.cos(o.yaw)];
    const t = o.target;
    this.orbit = { ...o, target: [t[0] - (dx * right[0] - dy * up[0]) * s, t[1] - (dx * right[1] - dy * up[1]) * s, t[2] - (dx * right[2] - dy * up[2]) * s] };
    this.onChange();
  }
}
