// The seeded catalog's SQL side on SQLite: reading the published layers beside the seeding
// server, and bulk-loading the sets into the catalog file with the server stopped.
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { catalogFileName } from '../packages/server/dist/store/sqlite/database.js';
import { extentsOf, layerRows } from './catalog-layers.mjs';

/** The catalog in a data folder's SQLite file. */
export function sqliteCatalog(dir) {
  const file = join(dir, catalogFileName);
  return {
    /** How many layers and tables the catalog shows as published (read beside the running server, which is fine in WAL mode). */
    publishedLayerCount() {
      const db = new SQLite(file, { readonly: true });
      try {
        return db.prepare(`select count(*) as n from (${layerRows})`).get().n;
      } finally {
        db.close();
      }
    },
    writeSets: (rows, log) => writeSets(file, rows, log),
  };
}

/**
 * Writes the sets (`rows(extents)` yields them, bench/catalog-seed.mjs) with the server stopped.
 * The catalog rows' triggers and indexes are set aside (their SQL kept from sqlite_master) while
 * the rows go in, then made again, and the full-text and R*Tree indexes are built from the rows,
 * as the triggers would have, row by row and many times slower.
 */
function writeSets(file, rows, log) {
  const db = new SQLite(file);
  db.pragma('synchronous = OFF');
  // A page cache that holds the indexes being written: with the 16 MB default, most of the time goes to re-reading pages.
  db.pragma('cache_size = -1000000');
  const extents = extentsOf(db.prepare(layerRows).all());
  const insertSet = db.prepare(`insert into sets (uid, group_id, owner_id, published_version_id, first_published_at, created_at, updated_at) values (?, ?, ?, null, ?, ?, ?)`);
  const insertVersion = db.prepare(
    `insert into set_versions (set_id, number, title, description, tags, categories, license_id, settings, created_by, created_at, updated_at, published_at)
     values (?, 1, ?, ?, ?, ?, null, '{}', ?, ?, ?, ?)`,
  );
  const publishSet = db.prepare(`update sets set published_version_id = ? where id = ?`);
  const insertItem = db.prepare(`insert into set_items (set_version_id, position, item_type, item_id) values (?, ?, ?, ?)`);
  const insertEntry = db.prepare(
    `insert into catalog_items (kind, item_id, view, version_id, version_status, group_id, title, description, tags, categories, fields,
       license_id, license_type, minx, miny, maxx, maxy, created_at, updated_at, published_at)
     values ('set', ?, ?, ?, 'ok', ?, ?, ?, ?, ?, '', null, null, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const grant = db.prepare(`insert into permissions (item_kind, item_id, principal, level, created_at) values ('set', ?, 'group.everyone', 'view', ?)`);
  const setAside = db.prepare(`select type, name, sql from sqlite_master where tbl_name = 'catalog_items' and type in ('index', 'trigger') and sql is not null`).all();
  for (const { type, name } of setAside) db.exec(`drop ${type} "${name}"`);
  const grants = [];
  const batch = db.transaction((sets) => {
    for (const s of sets) {
      const setId = Number(insertSet.run(s.uid, s.group, s.owner, s.published, s.created, s.published).lastInsertRowid);
      const versionId = Number(insertVersion.run(setId, s.title, s.description, s.tags, s.categories, s.owner, s.created, s.published, s.published).lastInsertRowid);
      publishSet.run(versionId, setId);
      s.members.forEach((m, position) => insertItem.run(versionId, position, m.item_type, m.item_id));
      const [minx, miny, maxx, maxy] = s.box ?? [null, null, null, null];
      for (const view of ['published', 'latest']) insertEntry.run(setId, view, versionId, s.group, s.title, s.description, s.tags, s.categories, minx, miny, maxx, maxy, s.created, s.published, s.published);
      if (s.everyone) grants.push([setId, s.published]);
    }
  });
  for (const { sets, done, total } of rows(extents, 100_000)) {
    batch(sets);
    log(`seeding sets: ${done}/${total}`);
  }
  db.transaction(() => {
    for (const { type, sql } of [...setAside].sort((a, b) => (a.type === b.type ? 0 : a.type === 'index' ? -1 : 1))) db.exec(sql);
    db.exec(`insert into catalog_fts(catalog_fts) values ('rebuild')`);
    db.exec(`insert into catalog_rtree(id, minx, maxx, miny, maxy) select id, minx, maxx, miny, maxy from catalog_items where kind = 'set' and minx is not null`);
    // With the triggers back, so that the rows learn group.everyone's level.
    for (const [setId, at] of grants) grant.run(setId, at);
  })();
  log('seeding sets: indexes made');
  db.close();
}
