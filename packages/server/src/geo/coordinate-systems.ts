/** The EPSG coordinate reference systems PROJ knows, from its database, for the Metadata API's reference list. */
import { projDatabase } from './proj-database.js';

export interface CoordinateSystemEntry {
  /** The EPSG code. */
  code: number;
  name: string;
  /** PROJ's kind: `projected`, `geographic 2D`, `geographic 3D`, `geocentric`, `vertical`, `compound`. */
  type: string;
}

let entries: { list: readonly CoordinateSystemEntry[]; byCode: ReadonlyMap<number, CoordinateSystemEntry> } | undefined;

/** Every EPSG CRS that is not deprecated, by code; null when PROJ's database is missing. Read once. */
function load(): typeof entries | null {
  if (entries) return entries;
  const db = projDatabase();
  if (!db) return null;
  const list = (
    db.prepare(`SELECT CAST(code AS INTEGER) AS code, name, type FROM crs_view WHERE auth_name = 'EPSG' AND deprecated = 0 AND code GLOB '[0-9]*' ORDER BY CAST(code AS INTEGER)`).all() as CoordinateSystemEntry[]
  ).map((row) => Object.freeze({ code: row.code, name: row.name, type: row.type }));
  entries = { list: Object.freeze(list), byCode: new Map(list.map((row) => [row.code, row])) };
  return entries;
}

export function epsgCoordinateSystems(): readonly CoordinateSystemEntry[] | null {
  return load()?.list ?? null;
}

export function epsgCoordinateSystem(code: number): CoordinateSystemEntry | null | undefined {
  const loaded = load();
  return loaded === null ? null : loaded?.byCode.get(code);
}
