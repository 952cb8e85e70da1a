import { statfs } from 'node:fs/promises';
import { MapshelfError } from '../domain/errors.js';

/**
 * Room left free beside what is written: 256 MiB plus a tenth of it, so the catalog database,
 * its WAL and the logs can still grow, and a declared size a little short of the truth still fits.
 */
export function freeSpaceMargin(bytes: number): number {
  return 256 * 1024 ** 2 + Math.ceil(bytes / 10);
}

/** Bytes free to an unprivileged writer on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

/**
 * Refuses (507 `insufficient_storage`, naming `what`) unless `bytes` and the margin fit in the free
 * space of the file system holding `dir`. Messages give sizes, never the server's paths.
 */
export async function ensureFreeSpace(dir: string, bytes: number, what: string): Promise<void> {
  const free = await freeBytes(dir);
  const needed = bytes + freeSpaceMargin(bytes);
  if (needed > free) {
    throw new MapshelfError(
      'insufficient_storage',
      `${what} expands to ${bytes} bytes; with the margin kept free that needs ${needed} bytes, but the server has ${free} bytes free. ` +
        'It was not extracted; try again later or ask the operator to free disk space.',
      { errors: [{ location: what, message: 'not enough free disk space to extract it' }] },
    );
  }
}
