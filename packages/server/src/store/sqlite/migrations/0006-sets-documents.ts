import { sql, type Kysely } from 'kysely';

/**
 * Sets (versioned, published like layers, holding an ordered list of layers, tables and
 * documents), their uploaded metadata, set versions in publish requests, and documents
 * (uploaded files that are catalog items of their own).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sets')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('published_version_id', 'integer')
    .addColumn('first_published_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('set_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('set_id', 'integer', (c) => c.notNull().references('sets.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('license_id', 'integer', (c) => c.references('licenses.id'))
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addUniqueConstraint('set_versions_set_number', ['set_id', 'number'])
    .execute();

  await db.schema
    .createTable('set_items')
    .addColumn('set_version_id', 'integer', (c) => c.notNull().references('set_versions.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('item_type', 'text', (c) => c.notNull().check(sql`item_type in ('layer', 'table', 'document')`))
    .addColumn('item_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('set_items_pk', ['set_version_id', 'position'])
    .execute();
  await db.schema.createIndex('set_items_item').on('set_items').columns(['item_type', 'item_id']).execute();

  await db.schema
    .createTable('set_metadata_documents')
    .addColumn('set_version_id', 'integer', (c) => c.primaryKey().references('set_versions.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('iso', 'fgdc', 'dc')`))
    .addColumn('xml', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('publish_set_items')
    .addColumn('publish_id', 'integer', (c) => c.notNull().references('publish_requests.id').onDelete('cascade'))
    .addColumn('set_version_id', 'integer', (c) => c.notNull().references('set_versions.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addPrimaryKeyConstraint('publish_set_items_pk', ['publish_id', 'set_version_id'])
    .execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('license_id', 'integer', (c) => c.references('licenses.id'))
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
