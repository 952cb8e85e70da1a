import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, dirname } from 'node:path';
import { ExitCode } from './exit-codes.js';
import { UserError } from './output.js';

/** A file to upload and the name it is uploaded under. */
export interface UploadEntry {
  path: string;
  name: string;
  size: number;
}

/** Files under a folder, depth first, hidden ones left out. */
function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? walk(join(folder, entry.name)) : entry.isFile() ? [join(folder, entry.name)] : []));
}

/**
 * The files named on the command line, folders expanded. A folder's files keep their path from the
 * folder's name down (`roads/roads.shp`), so a Shapefile's parts stay together on the server.
 */
export function uploadEntries(paths: string[]): UploadEntry[] {
  const entries: UploadEntry[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new UserError(`No such file or folder: ${path}`, ExitCode.usage);
    }
    const files = stats.isDirectory() ? walk(path).map((file) => ({ file, name: relative(dirname(path.replace(/\/+$/, '')), file) })) : [{ file: path, name: basename(path) }];
    if (stats.isDirectory() && !files.length) throw new UserError(`The folder ${path} holds no files.`, ExitCode.usage);
    for (const { file, name } of files) entries.push({ path: file, name: name.split('\\').join('/'), size: statSync(file).size });
  }
  const names = new Set<string>();
  for (const { name } of entries) {
    if (names.has(name)) throw new UserError(`Two files would upload as ${name}; rename one, or put them in separate imports.`, ExitCode.usage);
    names.add(name);
  }
  return entries;
}
