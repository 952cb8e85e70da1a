import { sql, type Kysely } from 'kysely';

/**
 * Durable jobs; upload sources, their scans and datasources; licenses; layers and tables with
 * their versions; publish requests; uploaded metadata documents.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'done', 'failed', 'cancelled')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('locked_at', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_ready').on('jobs').columns(['status', 'run_at']).execute();

  await db.schema
    .createTable('licenses')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('jurisdiction', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('url', 'text')
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('is_custom', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('licenses_slug_jurisdiction', ['slug', 'jurisdiction'])
    .execute();

  await db.schema
    .createTable('sources')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('upload'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_scanned_at', 'text')
    .execute();

  await db.schema
    .createTable('scans')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('source_id', 'integer', (c) => c.notNull().references('sources.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued', 'scanning', 'completed', 'error', 'cancelled')`),
    )
    .addColumn('progress', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('added', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('log', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('job_id', 'integer', (c) => c.references('jobs.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('scans_source').on('scans').column('source_id').execute();

  await db.schema
    .createTable('datasources')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('source_id', 'integer', (c) => c.notNull().references('sources.id').onDelete('cascade'))
    .addColumn('upload_path', 'text', (c) => c.notNull())
    .addColumn('layer_name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('data_type', 'text', (c) => c.notNull().check(sql`data_type in ('vector', 'table')`))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('geometry_type', 'text')
    .addColumn('crs', 'text')
    .addColumn('crs_wkt', 'text')
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('num_features', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extent', 'text')
    .addColumn('metadata_path', 'text')
    .addColumn('encoding', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addUniqueConstraint('datasources_path_layer', ['source_id', 'upload_path', 'layer_name'])
    .execute();

  await db.schema
    .createTable('layers')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('layer', 'table')`))
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('published_version_id', 'integer')
    .addColumn('first_published_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('layer_id', 'integer', (c) => c.notNull().references('layers.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'importing', 'ok', 'error')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('license_id', 'integer', (c) => c.references('licenses.id'))
    .addColumn('datasources', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('requested_crs', 'text')
    .addColumn('crs', 'text')
    .addColumn('geometry_type', 'text')
    .addColumn('geometry_field', 'text')
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('primary_key_fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('feature_count', 'integer')
    .addColumn('extent', 'text')
    .addColumn('data_file', 'text')
    .addColumn('progress', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('import_log', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('change_counts', 'text')
    .addColumn('job_id', 'integer', (c) => c.references('jobs.id'))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addUniqueConstraint('versions_layer_number', ['layer_id', 'number'])
    .execute();

  await db.schema
    .createTable('publish_requests')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('pending', 'publishing', 'completed', 'error', 'cancelled')`),
    )
    .addColumn('publish_strategy', 'text', (c) => c.notNull().check(sql`publish_strategy in ('together', 'individual')`))
    .addColumn('error_strategy', 'text', (c) => c.notNull().check(sql`error_strategy in ('abort', 'ignore')`))
    .addColumn('publish_at', 'text')
    .addColumn('error', 'text')
    .addColumn('job_id', 'integer', (c) => c.references('jobs.id'))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();

  await db.schema
    .createTable('publish_items')
    .addColumn('publish_id', 'integer', (c) => c.notNull().references('publish_requests.id').onDelete('cascade'))
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addPrimaryKeyConstraint('publish_items_pk', ['publish_id', 'version_id'])
    .execute();

  await db.schema
    .createTable('metadata_documents')
    .addColumn('version_id', 'integer', (c) => c.primaryKey().references('versions.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('iso', 'fgdc', 'dc')`))
    .addColumn('xml', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
