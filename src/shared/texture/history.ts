import { applyOp, type TextureOp } from './document';
import type { TextureDocument } from './types';

/** Approximate bytes an op keeps alive (raster patches dominate; removed layers keep their image). */
export function opBytes(op: TextureOp): number {
  switch (op.kind) {
    case 'raster':
      return op.patch.before.byteLength + op.patch.after.byteLength + 64;
    case 'addLayer':
    case 'removeLayer':
      return (op.image?.data.byteLength ?? 0) + 256;
    default:
      return 256;
  }
}

/**
 * Undo/redo of document ops with bounded memory: the oldest entries are dropped when the undo stack holds more than
 * `maxBytes` (raster edits store only their dirty rectangle's bytes before and after) or `maxEntries` ops.
 * Recording a new op clears the redo stack.
 */
export class TextureHistory {
  private undoStack: TextureOp[] = [];
  private redoStack: TextureOp[] = [];
  /** Bytes held by the undo stack (the redo stack is bounded by what was undone). */
  private bytes = 0;

  constructor(readonly maxBytes = 256 * 1024 * 1024, readonly maxEntries = 500) {}

  record(op: TextureOp | null): void {
    if (!op) return;
    this.undoStack.push(op);
    this.bytes += opBytes(op);
    this.redoStack = [];
    while (this.undoStack.length > 1 && (this.bytes > this.maxBytes || this.undoStack.length > this.maxEntries)) {
      this.bytes -= opBytes(this.undoStack.shift()!);
    }
  }

  /** Reverts the newest op and returns it, or null. */
  undo(doc: TextureDocument): TextureOp | null {
    const op = this.undoStack.pop();
    if (!op) return null;
    applyOp(doc, op, 'undo');
    this.bytes -= opBytes(op);
    this.redoStack.push(op);
    return op;
  }

  redo(doc: TextureDocument): TextureOp | null {
    const op = this.redoStack.pop();
    if (!op) return null;
    applyOp(doc, op, 'redo');
    this.bytes += opBytes(op);
    this.undoStack.push(op);
    return op;
  }

  clear(): void {
    this.undoStack = [];
    this.redoStack = [];
    this.bytes = 0;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }
  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }
  /** Bytes held by both stacks. */
  get size(): number {
    return this.bytes + this.redoStack.reduce((s, op) => s + opBytes(op), 0);
  }
  get depth(): { undo: number; redo: number } {
    return { undo: this.undoStack.length, redo: this.redoStack.length };
  }
}
