/**
 * The local crash log: one JSON object per line in `<userData>/logs/crash.log`, rotated to `crash.log.1` past a
 * size limit. Records renderer/child-process crashes, uncaught errors in main, engine device losses and engine
 * process exits. Nothing is uploaded (Electron's crashReporter also runs with uploadToServer: false; its minidumps
 * stay in the crashDumps folder). No `electron` import.
 */
import fs from 'node:fs';
import path from 'node:path';

export type CrashKind =
  | 'render-process-gone'
  | 'child-process-gone'
  | 'uncaught-exception'
  | 'unhandled-rejection'
  | 'engine-device-lost'
  | 'engine-exit'
  | 'preload-error';

export interface CrashEntry {
  time: string;
  kind: CrashKind;
  message: string;
  details?: Record<string, unknown>;
  versions?: Record<string, string>;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;

export function describeError(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error) return { message: `${e.name}: ${e.message}`, stack: e.stack };
  return { message: typeof e === 'string' ? e : JSON.stringify(e) ?? String(e) };
}

export class CrashLog {
  constructor(
    readonly file: string,
    private readonly opts: { maxBytes?: number; versions?: Record<string, string>; now?: () => Date } = {},
  ) {}

  /** Appends an entry; never throws (a crash log that crashes is worse than none). */
  record(kind: CrashKind, message: string, details?: Record<string, unknown>): CrashEntry {
    const entry: CrashEntry = { time: (this.opts.now?.() ?? new Date()).toISOString(), kind, message: message.slice(0, 4000), details, versions: this.opts.versions };
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.rotateIfNeeded();
      fs.appendFileSync(this.file, `${JSON.stringify(entry, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}\n`);
    } catch {
      // Disk full or folder gone: nothing sensible left to do.
    }
    return entry;
  }

  /** The newest entries first, up to `limit`, from the current and the rotated file. Malformed lines are skipped. */
  read(limit = 100): CrashEntry[] {
    const out: CrashEntry[] = [];
    for (const f of [this.file, `${this.file}.1`]) {
      let text = '';
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n').filter(Boolean).reverse();
      for (const line of lines) {
        try {
          out.push(JSON.parse(line) as CrashEntry);
        } catch {
          // a torn last line after a hard crash
        }
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  private rotateIfNeeded(): void {
    const max = this.opts.maxBytes ?? DEFAULT_MAX_BYTES;
    let size = 0;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return;
    }
    if (size >= max) fs.renameSync(this.file, `${this.file}.1`);
  }
}
