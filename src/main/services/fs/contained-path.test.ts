import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../testing/temp-dir';
import { containedPath, decodeUrlPath, readOutsideFile, readOutsideFileAsync, requireContainedPath } from './contained-path';

const tempDir = useTempDirs();

describe('containedPath: a name from outside stays inside its root', () => {
  it('accepts plain names, existing or not, and returns the real path', () => {
    const root = tempDir('contain-');
    fs.mkdirSync(path.join(root, 'a'));
    fs.writeFileSync(path.join(root, 'a', 'f.bin'), 'x');
    expect(containedPath(root, 'a/f.bin')).toBe(path.join(fs.realpathSync(root), 'a', 'f.bin'));
    expect(containedPath(root, 'new/deeper/file.png')).toBe(path.join(fs.realpathSync(root), 'new', 'deeper', 'file.png'));
    expect(containedPath(root, 'a/./f.bin')).toBe(path.join(fs.realpathSync(root), 'a', 'f.bin'));
  });

  it('refuses empty names, NUL, absolute paths and ".." escapes', () => {
    const root = tempDir('contain-');
    for (const bad of ['', '.', 'a/..', '\0', 'a\0b', '/etc/passwd', '../x', 'a/../../x', 'bake/../../../../tmp/evil', 'C:\\Windows\\x', '\\\\server\\share'])
      expect(containedPath(root, bad), JSON.stringify(bad)).toBeNull();
    expect(() => requireContainedPath(root, '../../x', 'A bundle file')).toThrow(/A bundle file "..\/..\/x" is not a plain name inside its folder/);
  });

  it('refuses symlinks that lead outside (the file itself or a folder on the way), follows those that stay inside', () => {
    const root = tempDir('contain-');
    const outside = tempDir('outside-');
    fs.writeFileSync(path.join(outside, 'secret'), 's');
    fs.writeFileSync(path.join(root, 'inside.txt'), 'i');
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link-out'));
    fs.symlinkSync(outside, path.join(root, 'dir-out'));
    fs.symlinkSync(path.join(root, 'inside.txt'), path.join(root, 'link-in'));
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling'));
    expect(containedPath(root, 'link-out')).toBeNull();
    expect(containedPath(root, 'dir-out/secret')).toBeNull();
    expect(containedPath(root, 'dir-out/not-yet-there')).toBeNull();
    expect(containedPath(root, 'dangling')).toBeNull();
    expect(containedPath(root, 'link-in')).toBe(path.join(fs.realpathSync(root), 'inside.txt'));
  });

  it('works when the root itself is reached through a symlink', () => {
    const real = tempDir('contain-real-');
    const alias = path.join(tempDir('contain-alias-'), 'root');
    fs.symlinkSync(real, alias);
    fs.writeFileSync(path.join(real, 'f'), 'x');
    expect(containedPath(alias, 'f')).toBe(path.join(fs.realpathSync(real), 'f'));
    expect(containedPath(alias, '../f')).toBeNull();
  });
});

describe('readOutsideFile: a file the user named is a regular file under a size cap', () => {
  const limits = { maxBytes: 1024, what: 'The test file' };

  it('reads a regular file', async () => {
    const f = path.join(tempDir('outside-'), 'ok.bin');
    fs.writeFileSync(f, Buffer.alloc(1024, 7));
    expect(readOutsideFile(f, limits).length).toBe(1024);
    expect((await readOutsideFileAsync(f, limits)).length).toBe(1024);
  });

  it('refuses devices, folders and FIFOs without reading (or blocking), and files over the cap', async () => {
    const dir = tempDir('outside-');
    expect(() => readOutsideFile('/dev/zero', limits)).toThrow(/The test file \/dev\/zero is not a regular file/);
    await expect(readOutsideFileAsync('/dev/zero', limits)).rejects.toThrow(/not a regular file/);
    expect(() => readOutsideFile(dir, limits)).toThrow(/is a folder, not a file/);
    const fifo = path.join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => readOutsideFile(fifo, limits)).toThrow(/not a regular file/);
    const big = path.join(dir, 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 1025); // sparse: nothing is allocated
    expect(() => readOutsideFile(big, limits)).toThrow(/The test file .*big\.bin is 1025 bytes, over the 1024 bytes limit/);
    expect(() => readOutsideFile(path.join(dir, 'missing'), limits)).toThrow(/does not exist/);
  });
});

describe('decodeUrlPath', () => {
  it('decodes segments and refuses malformed encoding or encoded structure', () => {
    expect(decodeUrlPath('/files/a%20b/c.png')).toEqual(['files', 'a b', 'c.png']);
    expect(decodeUrlPath('/')).toEqual([]);
    expect(decodeUrlPath('/%E0%A4%A')).toBeNull();
    expect(decodeUrlPath('/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(decodeUrlPath('/a/%2e%2e/b')).toBeNull();
    expect(decodeUrlPath('/a%00b')).toBeNull();
    expect(decodeUrlPath('/a%5cb')).toBeNull();
  });
});
