import SQLite from 'better-sqlite3';
import { versionLayerName } from './import.js';
import { quoteIdentifier as quote } from './sql-identifier.js';

/** How much of a version's text is sampled for search. */
export interface TextValueLimits {
  /** A field with more distinct values than this (in the rows sampled) is not low-cardinality, and is left out. */
  maxDistinct: number;
  /** Longer values (in characters) are left out, not cut. */
  maxLength: number;
  /** At most this many values per version… */
  maxValues: number;
  /** …and this many UTF-8 bytes. */
  maxBytes: number;
  /** Rows read per field, so a large layer costs no more than a sample. */
  rowsSampled: number;
}

export const defaultTextValueLimits: TextValueLimits = { maxDistinct: 1000, maxLength: 100, maxValues: 2000, maxBytes: 64 * 1024, rowsSampled: 100_000 };


/**
 * A bounded sample of the distinct values of a version GeoPackage's low-cardinality text fields
 * (names, classes, codes: what people search for), field by field in column order, with spaces
 * collapsed, and duplicates across fields once. `SELECT DISTINCT` in SQLite over the first
 * `rowsSampled` rows of each field; nothing is loaded but the values kept.
 */
export function sampleTextValues(file: string, limits: TextValueLimits = defaultTextValueLimits): string[] {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const columns = (db.prepare('select name, type from pragma_table_info(?)').all(versionLayerName) as Array<{ name: string; type: string }>).filter((c) =>
      /^(TEXT|VARCHAR|CHAR)/i.test(c.type),
    );
    const values: string[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    for (const { name } of columns) {
      const rows = db
        .prepare(
          `select distinct v from (select trim(${quote(name)}) as v from ${quote(versionLayerName)} limit ${limits.rowsSampled}) where v is not null and v <> '' limit ${limits.maxDistinct + 1}`,
        )
        .pluck()
        .all() as unknown[];
      if (rows.length > limits.maxDistinct) continue;
      for (const row of rows) {
        if (typeof row !== 'string') continue;
        const value = row.replace(/\s+/g, ' ');
        if ([...value].length > limits.maxLength || seen.has(value)) continue;
        const size = Buffer.byteLength(value) + 1;
        if (values.length >= limits.maxValues || bytes + size > limits.maxBytes) return values;
        seen.add(value);
        values.push(value);
        bytes += size;
      }
    }
    return values;
  } finally {
    db.close();
  }
}
