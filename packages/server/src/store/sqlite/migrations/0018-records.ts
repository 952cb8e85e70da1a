import { sql, type Kysely } from 'kysely';

/**
 * The Metadata API's records and what they hold. Every layer, table, set and document has a
 * record with its uid, made here for those that exist and by their repositories after; the
 * item's deletion takes its record along; each published version keeps a snapshot of it. Licences get a public id and, for those a workgroup
 * adds, an owner (none: every workgroup's, as the built-in and site licences are).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('records')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('layer_id', 'integer', (c) => c.unique().references('layers.id').onDelete('cascade'))
    .addColumn('set_id', 'integer', (c) => c.unique().references('sets.id').onDelete('cascade'))
    .addColumn('document_id', 'integer', (c) => c.unique().references('documents.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('series', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('edition_profile', 'text', (c) => c.notNull().defaultTo('manual'))
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('records_group').on('records').column('group_id').execute();
  await sql`insert into records (uid, group_id, layer_id, type, created_by, created_at, updated_at)
    select uid, group_id, id, case type when 'table' then 'noGeoDataset' else 'vectorDataset' end, owner_id, created_at, updated_at from layers`.execute(db);
  await sql`insert into records (uid, group_id, set_id, type, series, created_by, created_at, updated_at)
    select uid, group_id, id, 'dataset', 1, owner_id, created_at, updated_at from sets`.execute(db);
  await sql`insert into records (uid, group_id, document_id, type, created_by, created_at, updated_at)
    select uid, group_id, id, 'resource', owner_id, created_at, updated_at from documents`.execute(db);

  await db.schema
    .createTable('record_parts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('record_id', 'integer', (c) => c.notNull().references('records.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('record_parts_ref', ['record_id', 'kind', 'ref'])
    .execute();
  await db.schema.createIndex('record_parts_kind_ref').on('record_parts').columns(['kind', 'ref']).execute();

  // What a record held when a version of its item was published: that version's metadata, kept as it was.
  await db.schema
    .createTable('record_snapshots')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('record_id', 'integer', (c) => c.notNull().references('records.id').onDelete('cascade'))
    .addColumn('version_id', 'integer', (c) => c.unique().references('versions.id').onDelete('cascade'))
    .addColumn('set_version_id', 'integer', (c) => c.unique().references('set_versions.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('licenses').addColumn('uid', 'text').execute();
  await sql`update licenses set uid = lower(hex(randomblob(16)))`.execute(db);
  await db.schema.createIndex('licenses_uid').on('licenses').column('uid').unique().execute();
  await db.schema.alterTable('licenses').addColumn('group_id', 'integer', (c) => c.references('groups.id').onDelete('cascade')).execute();
}
