import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces a file's content atomically: the data goes to a temporary file beside it, which is
 * renamed over the file, so a reader (or a restart after a crash) sees the old content or the
 * new, never a mix. With `durable`, the data and the rename are flushed to the disk (fsync of
 * the file and of its directory), so they also survive a power loss.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, durable: boolean) {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      if (durable) await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (durable) await syncDirectory(dirname(path));
}

/** Flushes a directory's entries (files created, renamed or removed in it) to the disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
