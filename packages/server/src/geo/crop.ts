import gdal from 'gdal-async';
import { crs84 } from './gdal.js';

/** A GeoJSON Polygon or MultiPolygon, in EPSG:4326 (lon, lat). */
export interface CropPolygon {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: number[][][] | number[][][][];
}

export type Bbox = [number, number, number, number];

/** Seed 004: more would make every export slow. */
export const maxCropVertices = 1000;

const isPosition = (p: unknown): p is number[] =>
  Array.isArray(p) && (p.length === 2 || p.length === 3) && p.every((n) => typeof n === 'number' && Number.isFinite(n));

/** What is wrong with a ring, or null. */
function ringProblem(ring: unknown, where: string): string | null {
  if (!Array.isArray(ring) || !ring.every(isPosition)) return `${where} must be an array of [longitude, latitude] positions`;
  if (ring.length < 4) return `${where} has ${ring.length} positions; a ring needs at least 4`;
  const first = ring[0]!;
  const last = ring.at(-1)!;
  if (first[0] !== last[0] || first[1] !== last[1]) return `${where} is not closed: its last position must repeat its first`;
  const outside = ring.find((p) => p[0]! < -180 || p[0]! > 180 || p[1]! < -90 || p[1]! > 90);
  if (outside) return `${where} has [${outside.join(', ')}], outside EPSG:4326 (longitude -180..180, latitude -90..90)`;
  return null;
}

/**
 * Checks a crop extent given as GeoJSON: type, shape, ranges, the vertex limit, and validity
 * (no self-intersections) by GEOS. Returns the problems, each a sentence.
 */
export function cropPolygonProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['must be a GeoJSON Polygon or MultiPolygon object, or a crop feature URL'];
  const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
  if (type !== 'Polygon' && type !== 'MultiPolygon') return [`"type" must be "Polygon" or "MultiPolygon", not ${JSON.stringify(type)}`];
  if (!Array.isArray(coordinates) || coordinates.length === 0) return ['"coordinates" must be a non-empty array'];
  const polygons = (type === 'Polygon' ? [coordinates] : coordinates) as unknown[];
  let vertices = 0;
  for (const [i, polygon] of polygons.entries()) {
    const where = type === 'Polygon' ? 'coordinates' : `coordinates[${i}]`;
    if (!Array.isArray(polygon) || polygon.length === 0) return [`${where} must be a non-empty array of rings`];
    for (const [j, ring] of polygon.entries()) {
      const problem = ringProblem(ring, `${where}[${j}]`);
      if (problem) return [problem];
      vertices += (ring as unknown[]).length - 1;
    }
  }
  if (vertices > maxCropVertices) return [`has ${vertices} vertices; at most ${maxCropVertices} are allowed. Simplify the polygon, or use a crop feature`];
  const geometry = gdal.Geometry.fromGeoJson(value as object);
  if (!geometry.isValid()) return ['is not a valid polygon: it intersects itself, or its rings overlap or are wound into each other'];
  if ((geometry as gdal.Polygon).getArea() === 0) return ['has no area'];
  return [];
}

function toGeometry(crop: CropPolygon): gdal.Geometry {
  const geometry = gdal.Geometry.fromGeoJson(crop);
  geometry.srs = crs84;
  return geometry;
}

/** [minx, miny, maxx, maxy] of a crop polygon. */
export function cropBbox(crop: CropPolygon): Bbox {
  const e = toGeometry(crop).getEnvelope();
  return [e.minX, e.minY, e.maxX, e.maxY];
}

/**
 * How much of a bbox the crop polygon covers, 0-1: the share of a layer's features an export
 * keeps, if they are spread evenly. A bbox without area (one point) counts whole or not at all.
 */
export function cropCoverage(crop: CropPolygon, bbox: Bbox): number {
  const polygon = toGeometry(crop);
  const [minx, miny, maxx, maxy] = bbox;
  const box = gdal.Geometry.fromWKT(`POLYGON ((${minx} ${miny}, ${maxx} ${miny}, ${maxx} ${maxy}, ${minx} ${maxy}, ${minx} ${miny}))`);
  const area = (maxx - minx) * (maxy - miny);
  if (area === 0) return polygon.intersects(gdal.Geometry.fromWKT(`POINT (${minx} ${miny})`)) ? 1 : 0;
  return Math.min(1, (polygon.intersection(box) as gdal.Polygon).getArea() / area);
}

/** A version layer's SRS, or null when it has none. */
async function sourceSrs(sourceFile: string, sourceLayer: string): Promise<gdal.SpatialReference | null> {
  const source = await gdal.openAsync(sourceFile, 'r');
  try {
    return source.layers.get(sourceLayer).srs;
  } finally {
    source.close();
  }
}

/** The crop polygon in the source's CRS, or null when that CRS can't express it (nothing to keep). */
async function cropInSource(crop: CropPolygon, sourceFile: string, sourceLayer: string): Promise<gdal.Geometry | null> {
  const srs = await sourceSrs(sourceFile, sourceLayer);
  const geometry = toGeometry(crop);
  if (srs && !srs.isSame(crs84)) {
    try {
      geometry.transform(new gdal.CoordinateTransformation(crs84, srs));
    } catch {
      return null;
    }
    geometry.srs = srs;
  }
  return geometry.isEmpty() ? null : geometry;
}

const envelopeOf = (geometry: gdal.Geometry): Bbox => {
  const e = geometry.getEnvelope();
  return [e.minX, e.minY, e.maxX, e.maxY];
};

/**
 * Writes the crop polygon, in the source's CRS, as a one-feature GeoPackage for `ogr2ogr
 * -clipsrc`; returns its bbox in that CRS, or null when nothing can be kept.
 */
export async function writeClipFile(destination: string, crop: CropPolygon, sourceFile: string, sourceLayer: string): Promise<Bbox | null> {
  const geometry = await cropInSource(crop, sourceFile, sourceLayer);
  if (!geometry) return null;
  const out = gdal.open(destination, 'w', 'GPKG');
  try {
    const layer = out.layers.create('clip', geometry.srs, gdal.wkbMultiPolygon);
    const feature = new gdal.Feature(layer);
    feature.setGeometry(geometry);
    layer.features.add(feature);
  } finally {
    out.close();
  }
  return envelopeOf(geometry);
}

/** The crop polygon in the source's CRS as WKT, with its bbox and that CRS; null when nothing can be kept. */
export async function clipInSource(crop: CropPolygon, sourceFile: string, sourceLayer: string): Promise<{ wkt: string; bbox: Bbox; srsWkt: string | null } | null> {
  const geometry = await cropInSource(crop, sourceFile, sourceLayer);
  return geometry && { wkt: geometry.toWKT(), bbox: envelopeOf(geometry), srsWkt: geometry.srs?.toWKT() ?? null };
}

export interface CropFeatureData {
  name: string;
  geometry: CropPolygon;
  extent: Bbox;
}

/**
 * The polygons of a layer as crop features, in EPSG:4326, named from a field (the feature id
 * when the field is empty). Features that aren't polygons are skipped.
 */
export async function readCropFeatures(sourceFile: string, sourceLayer: string, nameField: string | null): Promise<CropFeatureData[]> {
  const dataset = await gdal.openAsync(sourceFile, 'r');
  try {
    const layer = dataset.layers.get(sourceLayer);
    const transform = layer.srs && !layer.srs.isSame(crs84) ? new gdal.CoordinateTransformation(layer.srs, crs84) : null;
    const features: CropFeatureData[] = [];
    for (const feature of layer.features) {
      const geometry = feature.getGeometry();
      if (!geometry || geometry.isEmpty()) continue;
      const flat = (geometry.wkbType & 0x7fffffff) % 1000;
      if (flat !== gdal.wkbPolygon && flat !== gdal.wkbMultiPolygon) continue;
      if (transform) geometry.transform(transform);
      const value = nameField ? feature.fields.get(nameField) : null;
      const e = geometry.getEnvelope();
      features.push({
        name: value === null || value === undefined || value === '' ? `Feature ${feature.fid}` : String(value),
        geometry: JSON.parse(geometry.toJSON()) as CropPolygon,
        extent: [e.minX, e.minY, e.maxX, e.maxY],
      });
    }
    return features;
  } finally {
    dataset.close();
  }
}
