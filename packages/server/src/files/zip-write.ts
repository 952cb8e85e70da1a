import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

export interface WrittenZip {
  size: number;
  sha256: string;
}

/** Every file under a folder, sorted; walked by hand, as recursive readdir misnames nested entries on Node 20. */
async function filesUnder(folder: string): Promise<Array<{ path: string; size: number }>> {
  const files: Array<{ path: string; size: number }> = [];
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push({ path, size: (await stat(path)).size });
  }
  return files;
}

/**
 * Zips every file under `root` into `destination`, entry names relative to `root` (so the
 * archive holds `root`'s contents, not its path). Files stream through, one at a time.
 * Reports progress as the share of input bytes read, and returns the zip's size and SHA-256.
 */
export async function zipFolder(root: string, destination: string, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<WrittenZip> {
  const files = await filesUnder(root);
  const total = files.reduce((sum, f) => sum + f.size, 0) || 1;
  const zip = new yazl.ZipFile();
  let read = 0;
  for (const file of files) {
    // Counted on the way through; a 'data' listener on the file stream would steal its bytes.
    const counted = createReadStream(file.path).pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          read += chunk.length;
          onProgress(read / total);
          done(null, chunk);
        },
      }),
    );
    zip.addReadStream(counted, relative(root, file.path).split(sep).join('/'), { size: file.size, mtime: new Date() });
  }
  // A failed read surfaces on the ZipFile, not its output stream.
  zip.on('error', (error: Error) => (zip.outputStream as unknown as Readable).destroy(error));
  zip.end();
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    zip.outputStream,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(destination),
    { signal },
  );
  return { size, sha256: hash.digest('hex') };
}
