import { invalidParameter } from '../domain/errors.js';

/**
 * The paths of one upload (or one zip), checked as they arrive so that two files of one name, or
 * a file where another path needs a folder (`a` beside `a/b.csv`), are a 400 naming the upload
 * path before anything is written, rather than a file-system error naming server paths.
 * Paths are safe relative paths (see `safeRelativePath`).
 */
export class UploadPaths {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();

  constructor(private readonly where: string) {}

  addFile(path: string, where = this.where): void {
    if (this.files.has(path)) throw invalidParameter(where, `two files are named "${path}"`);
    if (this.folders.has(path)) throw invalidParameter(where, `"${path}" is both a file and a folder in the upload`);
    this.addParents(path, where);
    this.files.add(path);
  }

  addFolder(path: string, where = this.where): void {
    if (this.files.has(path)) throw invalidParameter(where, `"${path}" is both a file and a folder in the upload`);
    this.addParents(path, where);
    this.folders.add(path);
  }

  private addParents(path: string, where: string): void {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (this.files.has(folder)) throw invalidParameter(where, `"${path}" needs a folder "${folder}", but a file has that name in the upload`);
      this.folders.add(folder);
    }
  }
}
