import { sql, type Kysely } from 'kysely';

/** `public_level` codes of a level (SQL), as `levelCode` in `repositories/catalog-query.ts` gives them: 1 + the level's rank. */
const levelCode = (level: string) => `(case ${level} when 'view' then 1 when 'download' then 2 when 'edit' then 3 when 'admin' then 4 else 0 end)`;

/** The catalog rows of a permission's item (`kind`, `id` are SQL): tables share the layers' permissions. */
const rowsOf = (kind: string, id: string) => sql.raw(`kind in (${kind}, case when ${kind} = 'layer' then 'table' end) and item_id = ${id}`);

/** group.everyone's level on the item of a catalog row (`row` is its alias), or 0. */
const publicLevelOf = (row: string) =>
  sql.raw(`coalesce((select ${levelCode('p.level')} from permissions p where p.principal = 'group.everyone'
    and p.item_kind = (case ${row}.kind when 'table' then 'layer' else ${row}.kind end) and p.item_id = ${row}.item_id), 0)`);

/**
 * Catalog search in SQL (issue 16), in place of an in-memory copy of the catalog:
 * - `public_level`, group.everyone's level on the row's item, kept by triggers on `permissions`
 *   and on insert, so that access is a column test and public rows an index range;
 * - indexes that counts read alone: (view, group_id) and (view, public_level, group_id), with the
 *   extent, replacing (view, group_id);
 * - the full-text and R*Tree triggers fire only when a row's text or extent changes: a
 *   popularity count or a status change no longer rewrites the row's index entries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // First, so that setting public_level below does not rewrite every row's text index entries.
  await sql`drop trigger catalog_items_au`.execute(db);
  await db.schema.alterTable('catalog_items').addColumn('public_level', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update catalog_items set public_level = ${publicLevelOf('catalog_items')} where public_level != ${publicLevelOf('catalog_items')}`.execute(db);
  // Counts read these alone (see countQuery): the rows of the caller's groups, and public rows, with their extents.
  await sql`drop index catalog_items_group_id`.execute(db);
  await db.schema.createIndex('catalog_items_group').on('catalog_items').columns(['view', 'group_id', 'minx', 'miny', 'maxx', 'maxy']).execute();
  await db.schema.createIndex('catalog_items_public').on('catalog_items').columns(['view', 'public_level', 'group_id', 'minx', 'miny', 'maxx', 'maxy']).execute();

  await sql`create trigger catalog_items_public_level after insert on catalog_items
    when exists (select 1 from permissions p where p.principal = 'group.everyone'
      and p.item_kind = (case new.kind when 'table' then 'layer' else new.kind end) and p.item_id = new.item_id)
  begin
    update catalog_items set public_level = ${publicLevelOf('new')} where id = new.id;
  end`.execute(db);
  for (const [event, item] of [
    ['insert', 'new'],
    ['delete', 'old'],
  ] as const) {
    await sql`create trigger ${sql.id(`permissions_public_${event}`)} after ${sql.raw(event)} on permissions when ${sql.raw(item)}.principal = 'group.everyone' begin
      update catalog_items set public_level = ${publicLevelOf('catalog_items')} where ${rowsOf(`${item}.item_kind`, `${item}.item_id`)};
    end`.execute(db);
  }
  await sql`create trigger permissions_public_update after update on permissions when old.principal = 'group.everyone' or new.principal = 'group.everyone' begin
    update catalog_items set public_level = ${publicLevelOf('catalog_items')} where ${rowsOf('old.item_kind', 'old.item_id')};
    update catalog_items set public_level = ${publicLevelOf('catalog_items')} where ${rowsOf('new.item_kind', 'new.item_id')};
  end`.execute(db);

  await sql`create trigger catalog_items_au_text after update of title, description, tags, categories, fields, text_values on catalog_items
    when old.title is not new.title or old.description is not new.description or old.tags is not new.tags
      or old.categories is not new.categories or old.fields is not new.fields or old.text_values is not new.text_values
  begin
    insert into catalog_fts(catalog_fts, rowid, title, description, tags, categories, fields, text_values)
      values ('delete', old.id, old.title, old.description, old.tags, old.categories, old.fields, old.text_values);
    insert into catalog_fts(rowid, title, description, tags, categories, fields, text_values)
      values (new.id, new.title, new.description, new.tags, new.categories, new.fields, new.text_values);
  end`.execute(db);
  await sql`create trigger catalog_items_au_extent after update of minx, miny, maxx, maxy on catalog_items
    when old.minx is not new.minx or old.miny is not new.miny or old.maxx is not new.maxx or old.maxy is not new.maxy
  begin
    delete from catalog_rtree where id = old.id;
    insert into catalog_rtree(id, minx, maxx, miny, maxy)
      select new.id, new.minx, new.maxx, new.miny, new.maxy where new.minx is not null;
  end`.execute(db);
}
