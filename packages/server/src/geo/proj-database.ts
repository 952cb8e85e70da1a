/**
 * PROJ's own database (`proj.db`, SQLite), opened read-only: gdal-async exposes neither areas of
 * use nor the list of CRSs, and `projinfo` is not always installed.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import Database from 'better-sqlite3';

let database: Database.Database | null | undefined;

/** PROJ looks in PROJ_DATA (PROJ_LIB before PROJ 9.1), then where it was installed; null when there is none. */
export function projDatabase(): Database.Database | null {
  if (database !== undefined) return database;
  const folders = [process.env.PROJ_DATA, process.env.PROJ_LIB]
    .flatMap((value) => (value ? value.split(delimiter) : []))
    .concat(['/usr/share/proj', '/usr/local/share/proj']);
  const file = folders.map((folder) => join(folder, 'proj.db')).find((path) => existsSync(path));
  try {
    database = file ? new Database(file, { readonly: true, fileMustExist: true }) : null;
  } catch {
    database = null;
  }
  return database;
}
