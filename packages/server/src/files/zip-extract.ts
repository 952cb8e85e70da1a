import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { safeRelativePath } from './safe-path.js';
import { MapshelfError, invalidParameter } from '../domain/errors.js';

export interface ZipLimits {
  maxEntries: number;
  /** Total uncompressed bytes. */
  maxTotalBytes: number;
  /** Largest compression ratio accepted for an entry over 1 MiB. */
  maxRatio: number;
}

export const defaultZipLimits: ZipLimits = { maxEntries: 10_000, maxTotalBytes: 20 * 1024 ** 3, maxRatio: 200 };


function open(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (error, zip) =>
      error ? reject(error) : resolve(zip!),
    ),
  );
}

/**
 * Extracts a zip into `target`, streaming each entry to disk and enforcing `limits` on entry
 * count, total size and compression ratio, so a zip bomb is stopped before it fills the disk.
 * Returns the extracted files' relative paths. Throws a 400 `MapshelfError` for unsafe archives.
 */
export async function extractZip(zipPath: string, target: string, zipName: string, limits: ZipLimits = defaultZipLimits): Promise<string[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await open(zipPath);
  } catch (error) {
    throw invalidParameter(`file ${zipName}`, `is not a readable zip archive (${(error as Error).message})`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw invalidParameter(`file ${zipName}`, `holds ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`);
  }
  const files: string[] = [];
  let total = 0;
  const tooBig = () => invalidParameter(`file ${zipName}`, `expands to more than ${limits.maxTotalBytes} bytes; it was rejected`);

  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      zip.close();
      reject(error);
    };
    zip.on('error', (error: Error) =>
      fail(error.message.includes('invalid relative path') || error.message.includes('absolute path')
        ? invalidParameter(`file ${zipName}`, `the archive holds an unsafe path: ${error.message}`)
        : invalidParameter(`file ${zipName}`, `is a damaged zip archive (${error.message})`)),
    );
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      (async () => {
        const path = safeRelativePath(entry.fileName, `file ${zipName}`);
        const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
        if (mode === 0o120000) throw invalidParameter(`file ${zipName}`, `holds a symbolic link "${entry.fileName}"; it was rejected`);
        if (entry.fileName.endsWith('/')) {
          zip.readEntry();
          return;
        }
        if (entry.uncompressedSize > 1024 * 1024 && entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio) {
          throw invalidParameter(`file ${zipName}`, `entry "${entry.fileName}" is compressed ${Math.round(entry.uncompressedSize / entry.compressedSize)}:1, which looks like a zip bomb; it was rejected`);
        }
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) throw tooBig();
        const destination = join(target, path);
        await mkdir(dirname(destination), { recursive: true });
        const stream = await new Promise<NodeJS.ReadableStream>((res, rej) =>
          zip.openReadStream(entry, (error, s) => (error ? rej(error) : res(s!))),
        );
        // Counts real bytes too: declared sizes can lie (yauzl checks them, this is a second guard).
        let written = 0;
        const guard = new Transform({
          transform(chunk: Buffer, _enc, done) {
            written += chunk.length;
            done(written > entry.uncompressedSize || total - entry.uncompressedSize + written > limits.maxTotalBytes ? tooBig() : null, chunk);
          },
        });
        await pipeline(stream, guard, createWriteStream(destination, { flags: 'wx' }));
        files.push(path);
        zip.readEntry();
      })().catch((error: unknown) =>
        fail(error instanceof MapshelfError ? error : invalidParameter(`file ${zipName}`, `could not be extracted: ${(error as Error).message}`)),
      );
    });
    zip.readEntry();
  });
  return files;
}
