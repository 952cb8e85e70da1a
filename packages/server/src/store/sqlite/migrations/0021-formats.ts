import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

type Seed = [code: string, name: string, type: 'dataset' | 'service' | 'resource', aliases: string[], versions: string[]];

/** The formats Mapshelf reads and writes, and the services records name, as the formats list starts. */
export const seedFormats: readonly Seed[] = [
  ['shp', 'Esri Shapefile', 'dataset', ['ESRI Shapefile', 'shapefile'], []],
  ['gpkg', 'OGC GeoPackage', 'dataset', ['GeoPackage', 'GPKG'], ['1.2', '1.3', '1.4']],
  ['geojson', 'GeoJSON', 'dataset', ['GeoJSONSeq', 'json'], ['RFC 7946']],
  ['csv', 'Comma-separated values', 'dataset', ['CSV'], []],
  ['kml', 'OGC KML', 'dataset', ['KML', 'LIBKML'], ['2.2']],
  ['kmz', 'OGC KML, zipped', 'dataset', ['KMZ'], ['2.2']],
  ['gml', 'OGC GML', 'dataset', ['GML'], ['3.1.1', '3.2']],
  ['fgb', 'FlatGeobuf', 'dataset', ['FlatGeobuf'], ['3']],
  ['filegdb', 'Esri File Geodatabase', 'dataset', ['OpenFileGDB', 'FileGDB', 'gdb'], []],
  ['tab', 'MapInfo TAB', 'dataset', ['MapInfo File'], []],
  ['dxf', 'AutoCAD DXF', 'dataset', ['DXF'], []],
  ['gpx', 'GPS Exchange Format', 'dataset', ['GPX'], ['1.1']],
  ['xlsx', 'Microsoft Excel', 'dataset', ['XLSX'], []],
  ['geotiff', 'GeoTIFF', 'dataset', ['GTiff', 'tif', 'tiff', 'COG'], ['1.1']],
  ['pdf', 'PDF', 'resource', ['application/pdf'], []],
  ['wms', 'OGC Web Map Service', 'service', ['WMS'], ['1.1.1', '1.3.0']],
  ['wfs', 'OGC Web Feature Service', 'service', ['WFS'], ['1.1.0', '2.0.0']],
  ['wmts', 'OGC Web Map Tile Service', 'service', ['WMTS'], ['1.0.0']],
  ['csw', 'OGC Catalogue Service for the Web', 'service', ['CSW'], ['2.0.2']],
  ['ogcapi-features', 'OGC API - Features', 'service', ['OAPIF'], ['1.0']],
];

/** Inserts the seeds through `db`, on either engine (JSON as text, which both columns take). */
export async function insertSeedFormats(db: Kysely<unknown>, at: string): Promise<void> {
  for (const [code, name, type, aliases, versions] of seedFormats) {
    // Fixed ids, so every server names a seeded format alike.
    const uid = createHash('md5').update(`mapshelf:format:${code}`).digest('hex');
    await sql`insert into formats (uid, code, name, type, aliases, versions, created_at, updated_at)
      values (${uid}, ${code}, ${name}, ${type}, ${JSON.stringify(aliases)}, ${JSON.stringify(versions)}, ${at}, ${at})`.execute(db);
  }
}

/** The Metadata API's formats: what records name as their format, data and services; site admins keep the list. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('formats')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('aliases', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('versions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await insertSeedFormats(db, new Date().toISOString());
}
