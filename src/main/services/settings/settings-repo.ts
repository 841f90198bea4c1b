import { DEFAULT_SETTINGS, Settings } from '@shared/model/settings';
import type { Library } from '../library/library';

/** Studio settings stored in the library, one row per key (JSON values), validated on read. */
export class SettingsRepo {
  constructor(private readonly lib: Library) {}

  get(): Settings {
    const rows = this.lib.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const raw: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    const shape = Settings.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
    for (const r of rows) {
      try {
        const value: unknown = JSON.parse(r.value);
        // a corrupt or outdated value falls back to its own default, not the whole settings
        if (shape[r.key]?.safeParse(value).success) raw[r.key] = value;
      } catch {
        // unreadable JSON: keep the default
      }
    }
    const parsed = Settings.safeParse(raw);
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  }

  update(patch: Partial<Settings>): Settings {
    this.lib.assertWritable();
    const put = this.lib.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.lib.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) put.run(k, JSON.stringify(v));
    })();
    return this.get();
  }
}
