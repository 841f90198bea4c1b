import { fileURLToPath } from 'node:url';
import { setWorkerEntry } from '../jobs/launcher';
import { runCli } from './program';

// Built: this file is out/main/cli.js and the job worker sits beside it.
if (import.meta.url.endsWith('.js')) setWorkerEntry(fileURLToPath(new URL('./job-worker.js', import.meta.url)));

runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`avatar-studio: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
