import { sql, type Kysely } from 'kysely';

/**
 * A sample of each imported version's text values (`version_text_values`, read once from its
 * GeoPackage), searched with the catalog: `catalog_items.text_values` and a sixth column of
 * `catalog_fts`. FTS5 tables can't gain a column, so the index (derived from `catalog_items`,
 * no data of its own) is made again with it and rebuilt from the rows; the triggers with it.
 * Existing versions get their values when they are next indexed (an import, an edit, a publish).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('version_text_values')
    .addColumn('version_id', 'integer', (c) => c.primaryKey().references('versions.id').onDelete('cascade'))
    .addColumn('text_values', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('catalog_items').addColumn('text_values', 'text', (c) => c.notNull().defaultTo('')).execute();

  for (const trigger of ['catalog_items_ai', 'catalog_items_ad', 'catalog_items_au']) await sql`drop trigger ${sql.id(trigger)}`.execute(db);
  await sql`drop table catalog_fts`.execute(db);
  await sql`create virtual table catalog_fts using fts5(
    title, description, tags, categories, fields, text_values,
    content='catalog_items', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`insert into catalog_fts(catalog_fts) values ('rebuild')`.execute(db);

  await sql`create trigger catalog_items_ai after insert on catalog_items begin
    insert into catalog_fts(rowid, title, description, tags, categories, fields, text_values)
      values (new.id, new.title, new.description, new.tags, new.categories, new.fields, new.text_values);
    insert into catalog_rtree(id, minx, maxx, miny, maxy)
      select new.id, new.minx, new.maxx, new.miny, new.maxy where new.minx is not null;
  end`.execute(db);
  await sql`create trigger catalog_items_ad after delete on catalog_items begin
    insert into catalog_fts(catalog_fts, rowid, title, description, tags, categories, fields, text_values)
      values ('delete', old.id, old.title, old.description, old.tags, old.categories, old.fields, old.text_values);
    delete from catalog_rtree where id = old.id;
  end`.execute(db);
  await sql`create trigger catalog_items_au after update on catalog_items begin
    insert into catalog_fts(catalog_fts, rowid, title, description, tags, categories, fields, text_values)
      values ('delete', old.id, old.title, old.description, old.tags, old.categories, old.fields, old.text_values);
    insert into catalog_fts(rowid, title, description, tags, categories, fields, text_values)
      values (new.id, new.title, new.description, new.tags, new.categories, new.fields, new.text_values);
    delete from catalog_rtree where id = old.id;
    insert into catalog_rtree(id, minx, maxx, miny, maxy)
      select new.id, new.minx, new.maxx, new.miny, new.maxy where new.minx is not null;
  end`.execute(db);
}
