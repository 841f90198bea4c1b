import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write';
import { defaultLibraryDir, userDataDir } from './default-location';

const AppConfig = z.object({ libraryPath: z.string().optional() });
type AppConfig = z.infer<typeof AppConfig>;

/**
 * The one setting that cannot live in the library: where the library is. Stored in the user-data folder.
 * Precedence: explicit --library flag, AVATAR_STUDIO_LIBRARY, this file, the OS default.
 */
export class AppConfigStore {
  constructor(private readonly file = path.join(userDataDir(), 'config.json')) {}

  read(): AppConfig {
    try {
      const parsed = AppConfig.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  write(config: AppConfig): void {
    writeFileAtomic(this.file, JSON.stringify(config, null, 2));
  }

  resolveLibraryDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
    const chosen = explicit ?? env.AVATAR_STUDIO_LIBRARY ?? this.read().libraryPath ?? defaultLibraryDir(env);
    return path.resolve(chosen);
  }
}
