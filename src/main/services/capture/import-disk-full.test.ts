import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { JOB_TEST_TIMEOUT } from '../../testing/job-wait';
import { CLI_SOURCE, spawnWhileAdvancing } from '../../testing/run-cli';
import { makeVideo } from '../../testing/media-fixtures';
import { useTempDirs } from '../../testing/temp-dir';
import { EXIT } from '../../cli/exit-codes';

const tempDir = useTempDirs();

describe('import on a full disk', () => {
  it('fails with a clear message, leaves no partial capture, and the project still opens', async () => {
    const media = tempDir('media-');
    const video = makeVideo(media, 'big.mp4', { size: '960x540', seconds: 4 });
    const mount = tempDir('small-disk-');
    const cli = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(CLI_SOURCE)} --library ${JSON.stringify(`${mount}/lib`)} --json`;
    // A 4 MB disk (tmpfs in a private mount namespace): the library fits, the frames do not.
    const script = [
      `mount -t tmpfs -o size=4m tmpfs ${JSON.stringify(mount)}`,
      `${cli} projects create Tight >/dev/null`,
      `${cli} import Tight ${JSON.stringify(video)}; echo "exit=$?"`,
      `${cli} captures list Tight; echo "exit=$?"`,
      `ls ${JSON.stringify(`${mount}/lib/projects`)}/*/captures 2>/dev/null | wc -l`,
    ].join('\n');
    const probe = spawnSync('unshare', ['-rm', 'true']);
    expect(probe.status, 'unshare (util-linux) is needed to make a small disk as root').toBe(0);
    // Three CLI runs: no fixed deadline, their output (the import's progress on stderr) keeps the script going.
    const r = await spawnWhileAdvancing(['unshare', '-rm', 'sh', '-c', script], { what: 'the full-disk import script' });
    const lines = r.stdout.trim().split('\n');
    const importResult = JSON.parse(lines[0]!);
    expect(importResult.error.code).toBe('DISK_FULL');
    expect(importResult.error.message).toMatch(/disk filled up|disk is full/i);
    expect(lines[1]).toBe(`exit=${EXIT.diskFull}`);
    expect(JSON.parse(lines[2]!).captures).toEqual([]);
    expect(lines[3]).toBe('exit=0');
    expect(lines[4]).toBe('0');
  }, JOB_TEST_TIMEOUT);
});
