/**
 * Stroke → render latency of the 3D view: from the earliest edit not yet shown to the end of the first frame that
 * started after it (a frame already in flight at the edit was submitted with the old colours, so it does not count).
 */
export class StrokeLatency {
  private editAt: number | null = null;

  /** An edit at time `t` (performance.now()) whose colours were just uploaded. */
  edited(t: number): void {
    if (this.editAt === null) this.editAt = t;
  }

  /** A frame ended at `now` after `frameMs`; returns the latency when it shows the pending edit, else null. */
  rendered(now: number, frameMs: number): number | null {
    if (this.editAt === null || now - frameMs < this.editAt) return null;
    const ms = now - this.editAt;
    this.editAt = null;
    return ms;
  }
}
