import type { Kysely } from 'kysely';

/**
 * What an export needs beyond the list row (its request, progress, file and expiry), and crop
 * layers: admin-made collections of named polygons that exports can be cropped to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const columns: Array<[string, 'text' | 'integer' | 'real', boolean]> = [
    ['crs', 'text', false],
    ['formats', 'text', true],
    ['items', 'text', true],
    ['extent', 'text', false],
    ['crop_geometry', 'text', false],
    ['options', 'text', true],
    ['size_estimate_zipped', 'integer', false],
    ['progress', 'real', true],
    ['error', 'text', false],
    ['file', 'text', false],
    ['file_size', 'integer', false],
    ['file_etag', 'text', false],
    ['job_id', 'integer', false],
    ['completed_at', 'text', false],
    ['expires_at', 'text', false],
  ];
  for (const [name, type, required] of columns) {
    const defaults: Record<string, unknown> = { formats: '{}', items: '[]', options: '{}', progress: 0 };
    await db.schema
      .alterTable('exports')
      .addColumn(name, type, (c) => (required ? c.notNull().defaultTo(defaults[name]) : c))
      .execute();
  }
  await db.schema.createIndex('exports_expiry').on('exports').columns(['state', 'expires_at']).execute();

  await db.schema
    .createTable('crop_layers')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source_layer_id', 'integer', (c) => c.references('layers.id').onDelete('set null'))
    .addColumn('source_version_id', 'integer')
    .addColumn('name_field', 'text')
    .addColumn('extent', 'text')
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('crop_features')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('crop_layer_id', 'integer', (c) => c.notNull().references('crop_layers.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // A GeoJSON Polygon or MultiPolygon in EPSG:4326 (lon, lat).
    .addColumn('geometry', 'text', (c) => c.notNull())
    .addColumn('extent', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('crop_features_layer').on('crop_features').columns(['crop_layer_id', 'id']).execute();
}
