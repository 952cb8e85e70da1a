import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { ensureFreeSpace } from './disk-space.js';
import { UploadPaths } from './upload-paths.js';
import { safeRelativePath } from './safe-path.js';
import { chooseNameEncoding, cpgEncoding, entryName, shapefileCpgEntries, type ZipNameEncoding } from './zip-entry-names.js';
import { MapshelfError, invalidParameter } from '../domain/errors.js';

export interface ZipLimits {
  maxEntries: number;
  /** Total uncompressed bytes the archive may expand to (what is left of the upload's extract limit). */
  maxTotalBytes: number;
  /** Largest compression ratio (uncompressed ÷ compressed) accepted; see `ratioFloors` for where it applies. */
  maxRatio: number;
}

export const defaultZipLimits: ZipLimits = { maxEntries: 10_000, maxTotalBytes: 20 * 1024 ** 3, maxRatio: 200 };

/**
 * Where the compression ratio is checked. A zip bomb needs a high ratio somewhere: in one big
 * entry, or spread over many small ones (2,000 zero-filled 1 MiB entries are 1,000:1 each and
 * together). So the ratio is checked twice, both on declared sizes before anything is written
 * (yauzl's `validateEntrySizes` then holds every entry to its declared size while extracting):
 *
 * - **the whole archive**, once its declared total passes `archive` (1 MiB): total ÷ the zip
 *   file's own size. The file's size, not the sum of the entries' compressed sizes, so entries
 *   that overlap (share one compressed stream) cannot dilute it.
 * - **each entry**, once its size passes `entry` (64 KiB): size ÷ compressed size. Tiny files (a
 *   .prj, a .cpg, an empty .dbf) may well compress 500:1 and are harmless; those under the floor
 *   still count towards the archive's ratio, the total and the entry count.
 */
export const ratioFloors = { archive: 1024 * 1024, entry: 64 * 1024 };

function open(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    // Raw names: their encoding is decided for the whole archive (zip-entry-names.ts).
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: false }, (error, zip) =>
      error ? reject(error) : resolve(zip!),
    ),
  );
}

/** Every entry of the central directory, read without extracting anything. */
function readEntries(zip: yauzl.ZipFile, where: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('error', (error: Error) =>
      reject(
        error.message.includes('invalid relative path') || error.message.includes('absolute path')
          ? invalidParameter(where, `the archive holds an unsafe path: ${error.message}`)
          : invalidParameter(where, `is a damaged zip archive (${error.message})`),
      ),
    );
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.readEntry();
  });
}

/** An entry's bytes, for small entries only (a `.cpg`). */
async function readSmallEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const stream = await new Promise<NodeJS.ReadableStream>((res, rej) => zip.openReadStream(entry, (error, s) => (error ? rej(error) : res(s!))));
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * How the archive's names without a declared encoding are read: the code page named by the first
 * Shapefile `.cpg` that names one is a candidate; {@link chooseNameEncoding} decides.
 */
async function nameEncoding(zip: yauzl.ZipFile, entries: yauzl.Entry[]): Promise<ZipNameEncoding> {
  let cpg: ZipNameEncoding | null = null;
  for (const entry of shapefileCpgEntries(entries)) {
    // A .cpg is a word or two; a bigger one is not a code page file, and isn't read.
    if (entry.uncompressedSize > 256) continue;
    try {
      cpg = cpgEncoding((await readSmallEntry(zip, entry)).toString('latin1'));
    } catch {
      // A damaged .cpg names nothing; extraction reports the damage.
    }
    if (cpg) break;
  }
  return chooseNameEncoding(entries, cpg);
}

/** The client's view of a file-system error while writing `path` (an upload path), or null if it is the server's fault. */
export function clientFileError(error: unknown, where: string, path: string): MapshelfError | null {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EEXIST':
    case 'ENOTDIR':
    case 'EISDIR':
      return invalidParameter(where, `"${path}" clashes with another file or folder of the same name in the upload`);
    case 'ENAMETOOLONG':
      return invalidParameter(where, `the path "${path}" is too long`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new MapshelfError('insufficient_storage', `${where}: the server ran out of disk space while writing "${path}"; try again later.`);
    default:
      return null;
  }
}

/**
 * Extracts a zip into `target`, streaming each entry to disk. Before writing anything it checks
 * the entry count, every path (safe, no duplicates or file/folder clashes, no links), the
 * compression ratios (see `ratioFloors`), the declared total against `limits.maxTotalBytes` and
 * the disk's free space. Returns the extracted files' relative paths and their total size.
 * Throws a 400 `MapshelfError` for unsafe archives; messages name upload paths, never server paths.
 */
export async function extractZip(
  zipPath: string,
  target: string,
  zipName: string,
  limits: ZipLimits = defaultZipLimits,
): Promise<{ files: string[]; bytes: number }> {
  const where = `file ${zipName}`;
  let zip: yauzl.ZipFile;
  try {
    zip = await open(zipPath);
  } catch (error) {
    throw invalidParameter(where, `is not a readable zip archive (${(error as Error).message.replaceAll(zipPath, zipName)})`);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw invalidParameter(where, `holds ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`);
    }
    const entries = await readEntries(zip, where);
    const encoding = await nameEncoding(zip, entries);
    const paths = new UploadPaths(where);
    const files: Array<{ entry: yauzl.Entry; path: string }> = [];
    let total = 0;
    for (const entry of entries) {
      // As yauzl reads names when it decodes them: backslashes as separators, then its path checks.
      const name = entryName(entry, encoding).replace(/\\/g, '/');
      const unsafe = yauzl.validateFileName(name);
      if (unsafe) throw invalidParameter(where, `the archive holds an unsafe path: ${unsafe}`);
      const isFolder = name.endsWith('/');
      const path = safeRelativePath(name, where, isFolder ? 'folder' : 'file');
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (mode === 0o120000) throw invalidParameter(where, `holds a symbolic link "${name}"; it was rejected`);
      if (isFolder) {
        paths.addFolder(path);
        continue;
      }
      paths.addFile(path);
      const ratio = entry.compressedSize > 0 ? entry.uncompressedSize / entry.compressedSize : Infinity;
      if (entry.uncompressedSize > ratioFloors.entry && ratio > limits.maxRatio) {
        throw invalidParameter(where, `entry "${path}" is compressed ${Math.round(ratio)}:1 (at most ${limits.maxRatio}:1 is accepted), which looks like a zip bomb; it was rejected`);
      }
      total += entry.uncompressedSize;
      files.push({ entry, path });
    }
    const zipSize = (await stat(zipPath)).size;
    if (total > ratioFloors.archive && total / zipSize > limits.maxRatio) {
      throw invalidParameter(where, `expands ${Math.round(total / zipSize)}:1 (${total} bytes from ${zipSize}; at most ${limits.maxRatio}:1 is accepted), which looks like a zip bomb; it was rejected`);
    }
    const tooBig = () =>
      new MapshelfError('body_too_large', `${where}: expands to more than ${limits.maxTotalBytes} bytes, the limit left for this upload (see --extract-limit); it was rejected`, {
        errors: [{ location: where, message: `expands to more than the extract limit (${limits.maxTotalBytes} bytes left)` }],
      });
    if (total > limits.maxTotalBytes) throw tooBig();
    await mkdir(target, { recursive: true });
    await ensureFreeSpace(target, total, where);

    let written = 0;
    for (const { entry, path } of files) {
      const destination = join(target, path);
      try {
        await mkdir(dirname(destination), { recursive: true });
        const stream = await new Promise<NodeJS.ReadableStream>((res, rej) =>
          zip.openReadStream(entry, (error, s) => (error ? rej(invalidParameter(where, `entry "${path}" is damaged (${error.message})`)) : res(s!))),
        );
        // Counts real bytes too: yauzl holds entries to their declared sizes, this is a second guard.
        const guard = new Transform({
          transform(chunk: Buffer, _enc, done) {
            written += chunk.length;
            done(written > limits.maxTotalBytes ? tooBig() : null, chunk);
          },
        });
        await pipeline(stream, guard, createWriteStream(destination, { flags: 'wx' }));
      } catch (error) {
        if (error instanceof MapshelfError) throw error;
        const fromDisk = clientFileError(error, where, path);
        if (fromDisk) throw fromDisk;
        // yauzl's own checks (sizes, CRC, bad compressed data) carry no server paths.
        if (!(error as NodeJS.ErrnoException).code) throw invalidParameter(where, `entry "${path}" could not be extracted (${(error as Error).message})`);
        throw error;
      }
    }
    return { files: files.map((f) => f.path), bytes: written };
  } finally {
    zip.close();
  }
}
