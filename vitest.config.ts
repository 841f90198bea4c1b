import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const r = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: { '@shared': r('./src/shared'), '@engine': r('./native/engine'), '@tracking': r('./native/tracking') },
  },
  test: {
    include: ['src/**/*.test.ts', 'native/**/*.test.ts', 'bench/**/*.test.ts', 'build/**/*.test.ts'],
    environment: 'node',
    // Native modules (better-sqlite3, dawn.node) crash a fork, not the runner.
    pool: 'forks',
    maxWorkers: 2,
    // Hang guards, not speed budgets: a busy machine makes tests slower, not wrong (issue 20). Heavy job tests set
    // JOB_TEST_TIMEOUT / ENGINE_TEST_TIMEOUT and wait by progress (src/main/testing/job-wait.ts).
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
  },
});
