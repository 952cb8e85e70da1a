import gdal from 'gdal-async';
import type { Bbox } from './crop.js';
import { quoteIdentifier as quote } from './sql-identifier.js';

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

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
 * Only the rows that cross the crop's edge, or are invalid, pay for the intersection (`cutExpression`).
 */
export type Dimension = 'point' | 'line' | 'polygon';

/**
 * What kind of parts a geometry type has (`Multi Polygon` → polygon): what a crop keeps of it.
 * Takes GDAL's names, which versions keep (`Line String`, `3D Multi Line String`), and WKT's.
 */
export function dimensionOf(geometryType: string): Dimension {
  return /polygon/i.test(geometryType) ? 'polygon' : /line ?string/i.test(geometryType) ? 'line' : 'point';
}

export async function croppedSelect(sourceFile: string, sourceLayer: string, clip: { wkt: string; bbox: Bbox }, dimension: 'line' | 'polygon'): Promise<string> {
  const parts = await layerParts(sourceFile, sourceLayer);
  const { fid, geom, fields } = parts;
  const g = `t.${quote(geom)}`;
  const columns = [`t.${quote(fid)} AS ${quote(fid)}`, ...fields.map((f) => `t.${quote(f)}`)].join(', ');
  // MATERIALIZED: a plain subquery is flattened by SQLite, and the intersection then runs once for
  // each place the outer query names it (three), which took twice as long on the 10m countries.
  return `WITH cut AS MATERIALIZED (SELECT ${columns}, ${cutExpression(g, dimension)} AS ${quote(geom)} FROM ${quote(sourceLayer)} t, ${clipTable(parts, clip.wkt)}${near(parts, clip.bbox)}) SELECT * FROM cut WHERE ${quote(geom)} IS NOT NULL AND NOT ST_IsEmpty(${quote(geom)})`;
}

const clipName = 'mapshelf_clip';
const shape = `${clipName}.shape`;

/**
 * The clip as a one-row table to join, in the layer's SRID. Its `GeomFromText` is constant, so
 * SQLite runs it once per statement; with the row's SRID, as it was, it ran for every row and
 * took half of the time of 100,000 polygons. Written once, the WKT of a 1,000-vertex crop also
 * stays within one command-line argument (128 kB), though the cut names the clip three times.
 */
function clipTable(parts: LayerParts, wkt: string): string {
  return `(SELECT GeomFromText('${wkt}', ${parts.srid}) AS shape) AS ${clipName}`;
}

interface LayerParts {
  layer: string;
  fid: string;
  geom: string;
  fields: string[];
  rtree: boolean;
  /** The `srs_id` GDAL writes into every geometry of the layer: SpatiaLite cuts only geometries of one SRID. */
  srid: number;
}

async function layerParts(sourceFile: string, sourceLayer: string): Promise<LayerParts> {
  const source = await gdal.openAsync(sourceFile, 'r');
  try {
    const layer = source.layers.get(sourceLayer);
    const geom = layer.geomColumn || 'geom';
    const index = source.executeSQL(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${literal(`rtree_${sourceLayer}_${geom}`)}`);
    const srs = source.executeSQL(`SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ${literal(sourceLayer)} AND column_name = ${literal(geom)}`);
    const srid = srs.features.first()?.fields.get('srs_id');
    if (typeof srid !== 'number') throw new Error(`${sourceFile}: ${sourceLayer} has no geometry column ${geom}`);
    return { layer: sourceLayer, fid: layer.fidColumn || 'fid', geom, fields: layer.fields.getNames(), rtree: index.features.count() > 0, srid };
  } finally {
    source.close();
  }
}

/**
 * The cut of one row's geometry `g` at the clip: repaired polygons, only parts of the layer's
 * dimension, always multi. A valid row wholly inside the clip is kept whole, and one wholly outside
 * it (in its bbox) dropped: SpatiaLite answers both tests with a GEOS prepared geometry of the
 * clip, kept from row to row. Only the rest are intersected: rows across the clip's edge, and
 * invalid polygons, repaired first wherever they lie. Each test comes before the validity check,
 * so a valid row pays for one check, as a plain cut does.
 */
function cutExpression(g: string, dimension: 'line' | 'polygon'): string {
  const type = dimension === 'polygon' ? 3 : 2;
  const kept = (geometry: string) => `ST_Multi(CollectionExtract(${geometry}, ${type}))`;
  const repaired = dimension === 'polygon' ? `CASE WHEN ST_IsValid(${g}) THEN ${g} ELSE ST_Buffer(${g}, 0) END` : g;
  // Lines are cut as they are, valid or not.
  const valid = dimension === 'polygon' ? ` AND ST_IsValid(${g}) = 1` : '';
  return `CASE WHEN ST_Within(${g}, ${shape}) = 1${valid} THEN ${kept(g)} WHEN ST_Intersects(${g}, ${shape}) = 0${valid} THEN NULL ELSE ${kept(`ST_Intersection(${repaired}, ${shape})`)} END`;
}

/** ` WHERE` the row's box meets the clip's bbox, by the GeoPackage's R-tree (nothing without one). */
function near(parts: LayerParts, bbox: Bbox): string {
  return parts.rtree ? ` WHERE t.${quote(parts.fid)} IN (SELECT id FROM ${rtree(parts)} r WHERE ${boxMeets(bbox)})` : '';
}

const rtree = (parts: LayerParts) => quote(`rtree_${parts.layer}_${parts.geom}`);

/** The R-tree row `r`'s box meets the bbox. */
const boxMeets = ([minx, miny, maxx, maxy]: Bbox) => `r.maxx >= ${minx} AND r.minx <= ${maxx} AND r.maxy >= ${miny} AND r.miny <= ${maxy}`;

/**
 * Whether cutting a layer at a clip polygon (WKT in the layer's CRS) keeps any feature, decided
 * exactly as the export cuts: the R-tree for the bbox, then for lines and polygons the export's
 * own cut (`croppedSelect`), which drops features that only touch the clip's edge; points are
 * kept when they intersect it, as `-clipsrc` keeps them. Stops at the first feature kept.
 */
export async function clipKeepsAny(sourceFile: string, sourceLayer: string, clip: { wkt: string; bbox: Bbox }, dimension: Dimension): Promise<boolean> {
  const parts = await layerParts(sourceFile, sourceLayer);
  const g = `t.${quote(parts.geom)}`;
  // Joined to the rows, rather than listed with IN as the export lists them, the R-tree is read
  // as the rows are, so LIMIT 1 stops at the first one kept; IN first collects every id in the
  // bbox (0.2 s for 400,000 polygons).
  const rows = parts.rtree ? `${rtree(parts)} r JOIN ${quote(sourceLayer)} t ON t.${quote(parts.fid)} = r.id` : `${quote(sourceLayer)} t`;
  const keptBy = (test: string) => `SELECT 1 AS kept FROM ${rows}, ${clipTable(parts, clip.wkt)} WHERE ${parts.rtree ? `${boxMeets(clip.bbox)} AND ` : ''}${test} LIMIT 1`;
  // The cut is NULL for a row it drops, and NOT ST_IsEmpty(NULL) is NULL: not kept. Rows wholly
  // inside the clip are looked for first: their cut costs no intersection, where the first rows
  // the R-tree gives may be large ones across the clip's edge (the countries).
  const kept = dimension === 'point' ? null : `NOT ST_IsEmpty(${cutExpression(g, dimension)})`;
  const passes = kept ? [`ST_Within(${g}, ${shape}) = 1 AND ${kept}`, kept] : [`${g} IS NOT NULL AND ST_Intersects(${g}, ${shape}) <> 0`];
  const source = await gdal.openAsync(sourceFile, 'r');
  try {
    for (const test of passes) {
      const result = await source.executeSQLAsync(keptBy(test), undefined, 'SQLite');
      if ((await result.features.firstAsync()) !== null) return true;
    }
    return false;
  } finally {
    source.close();
  }
}
