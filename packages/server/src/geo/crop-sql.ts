import gdal from 'gdal-async';
import type { Bbox } from './crop.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The SQL (SQLite dialect, run by GDAL on the version's GeoPackage with SpatiaLite's GEOS
 * functions) that crops a line or polygon layer to a polygon given as WKT in the layer's CRS.
 *
 * Why not `ogr2ogr -clipsrc` as for points: it drops every feature whose geometry is invalid (GEOS
 * refuses to intersect it), and where a polygon touches the crop's edge it writes the touching
 * line too, which formats with one geometry type per layer (Shapefile, FlatGeobuf, File
 * Geodatabase) refuse. Here invalid polygons are repaired first (`ST_Buffer(g, 0)`; SpatiaLite's
 * MakeValid crashes on some inputs), only the parts of the layer's own dimension are kept, and
 * features left with nothing are dropped. The GeoPackage's R-tree narrows the rows to the crop's bbox.
 */
export async function croppedSelect(sourceFile: string, sourceLayer: string, clip: { wkt: string; bbox: Bbox }, dimension: 'line' | 'polygon'): Promise<string> {
  const source = await gdal.openAsync(sourceFile, 'r');
  let fid: string;
  let geom: string;
  let fields: string[];
  let rtree: boolean;
  try {
    const layer = source.layers.get(sourceLayer);
    fid = layer.fidColumn || 'fid';
    geom = layer.geomColumn || 'geom';
    fields = layer.fields.getNames();
    const index = source.executeSQL(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '${`rtree_${sourceLayer}_${geom}`.replace(/'/g, "''")}'`);
    rtree = index.features.count() > 0;
  } finally {
    source.close();
  }
  const g = `t.${quote(geom)}`;
  const repaired = dimension === 'polygon' ? `CASE WHEN ST_IsValid(${g}) THEN ${g} ELSE ST_Buffer(${g}, 0) END` : g;
  const type = dimension === 'polygon' ? 3 : 2;
  const cut = `ST_Multi(CollectionExtract(ST_Intersection(${repaired}, GeomFromText('${clip.wkt}', ST_SRID(${g}))), ${type}))`;
  const [minx, miny, maxx, maxy] = clip.bbox;
  const near = rtree ? ` WHERE t.${quote(fid)} IN (SELECT id FROM ${quote(`rtree_${sourceLayer}_${geom}`)} WHERE maxx >= ${minx} AND minx <= ${maxx} AND maxy >= ${miny} AND miny <= ${maxy})` : '';
  const columns = [`t.${quote(fid)} AS ${quote(fid)}`, ...fields.map((f) => `t.${quote(f)}`)].join(', ');
  // MATERIALIZED: a plain subquery is flattened by SQLite, and the intersection then runs once for
  // each place the outer query names it (three), which took twice as long on the 10m countries.
  return `WITH cut AS MATERIALIZED (SELECT ${columns}, ${cut} AS ${quote(geom)} FROM ${quote(sourceLayer)} t${near}) SELECT * FROM cut WHERE ${quote(geom)} IS NOT NULL AND NOT ST_IsEmpty(${quote(geom)})`;
}
