import SQLite from 'better-sqlite3';
import { versionLayerName } from './import.js';
import { quoteIdentifier as quote } from './sql-identifier.js';

export interface ChangeCounts {
  added: number;
  updated: number;
  deleted: number;
}

/**
 * Counts the features added, updated and deleted between two version GeoPackages. Features are
 * matched on `keys` (the primary key fields, or `fid` where ids are stable); without keys, rows
 * are compared whole, so a change shows as one deletion plus one addition. Runs in SQLite over
 * the two files, without loading features into memory.
 */
export function countChanges(previousFile: string, currentFile: string, keys: readonly string[]): ChangeCounts {
  const db = new SQLite(currentFile, { readonly: true });
  try {
    db.prepare('attach database ? as previous').run(previousFile);
    const table = quote(versionLayerName);
    const columnsOf = (schema: string) =>
      (db.prepare(`select name from ${schema}.pragma_table_info(?)`).all(versionLayerName) as Array<{ name: string }>).map((c) => c.name);
    const current = columnsOf('main');
    const before = new Set(columnsOf('previous'));
    const shared = current.filter((c) => before.has(c));
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);

    if (keys.length > 0 && keys.every((k) => shared.includes(k))) {
      const on = keys.map((k) => `n.${quote(k)} = o.${quote(k)}`).join(' and ');
      const values = shared.filter((c) => !keys.includes(c));
      const differs = values.length ? values.map((c) => `n.${quote(c)} is not o.${quote(c)}`).join(' or ') : '0';
      return {
        added: count(`select count(*) n from main.${table} n where not exists (select 1 from previous.${table} o where ${on})`),
        deleted: count(`select count(*) n from previous.${table} o where not exists (select 1 from main.${table} n where ${on})`),
        updated: count(`select count(*) n from main.${table} n join previous.${table} o on ${on} where ${differs}`),
      };
    }
    const values = shared.filter((c) => c !== 'fid').map(quote).join(', ') || 'fid';
    return {
      added: count(`select count(*) n from (select ${values} from main.${table} except select ${values} from previous.${table})`),
      deleted: count(`select count(*) n from (select ${values} from previous.${table} except select ${values} from main.${table})`),
      updated: 0,
    };
  } finally {
    db.close();
  }
}
