import { sql, type Kysely } from 'kysely';

/**
 * The catalog index: one row per item and view (`published`, or `latest` for /data/latest/),
 * with full-text search (FTS5, external content kept in step by triggers) and an R*Tree of
 * lon/lat extents. Domain code upserts rows; SQLite keeps the indexes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('catalog_items')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('layer', 'table', 'set', 'document')`))
    .addColumn('item_id', 'integer', (c) => c.notNull())
    .addColumn('view', 'text', (c) => c.notNull().check(sql`view in ('published', 'latest')`))
    .addColumn('version_id', 'integer')
    .addColumn('version_status', 'text')
    .addColumn('group_id', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('license_id', 'integer')
    .addColumn('license_type', 'text')
    .addColumn('minx', 'real')
    .addColumn('miny', 'real')
    .addColumn('maxx', 'real')
    .addColumn('maxy', 'real')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('popularity', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('catalog_items_item_view', ['kind', 'item_id', 'view'])
    .execute();
  for (const column of ['title', 'created_at', 'updated_at', 'popularity', 'group_id']) {
    await db.schema.createIndex(`catalog_items_${column}`).on('catalog_items').columns(['view', column]).execute();
  }

  await sql`create virtual table catalog_fts using fts5(
    title, description, tags, categories, fields,
    content='catalog_items', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`create virtual table catalog_rtree using rtree(id, minx, maxx, miny, maxy)`.execute(db);

  await sql`create trigger catalog_items_ai after insert on catalog_items begin
    insert into catalog_fts(rowid, title, description, tags, categories, fields)
      values (new.id, new.title, new.description, new.tags, new.categories, new.fields);
    insert into catalog_rtree(id, minx, maxx, miny, maxy)
      select new.id, new.minx, new.maxx, new.miny, new.maxy where new.minx is not null;
  end`.execute(db);
  await sql`create trigger catalog_items_ad after delete on catalog_items begin
    insert into catalog_fts(catalog_fts, rowid, title, description, tags, categories, fields)
      values ('delete', old.id, old.title, old.description, old.tags, old.categories, old.fields);
    delete from catalog_rtree where id = old.id;
  end`.execute(db);
  await sql`create trigger catalog_items_au after update on catalog_items begin
    insert into catalog_fts(catalog_fts, rowid, title, description, tags, categories, fields)
      values ('delete', old.id, old.title, old.description, old.tags, old.categories, old.fields);
    insert into catalog_fts(rowid, title, description, tags, categories, fields)
      values (new.id, new.title, new.description, new.tags, new.categories, new.fields);
    delete from catalog_rtree where id = old.id;
    insert into catalog_rtree(id, minx, maxx, miny, maxy)
      select new.id, new.minx, new.maxx, new.miny, new.maxy where new.minx is not null;
  end`.execute(db);
}
