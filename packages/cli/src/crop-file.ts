import { readFileSync } from 'node:fs';
import type { GeoJsonPolygon } from '@mapshelf/sdk';
import { ExitCode } from './exit-codes.js';
import { UserError } from './output.js';

type Geometry = { type: string; coordinates?: unknown; geometries?: Geometry[] };

/** The polygons of a GeoJSON object: a geometry, a Feature, or a FeatureCollection. */
function polygonsOf(value: unknown): number[][][][] {
  const object = value as { type?: string; geometry?: unknown; features?: unknown[]; coordinates?: unknown };
  switch (object?.type) {
    case 'FeatureCollection':
      return (object.features ?? []).flatMap(polygonsOf);
    case 'Feature':
      return object.geometry ? polygonsOf(object.geometry) : [];
    case 'GeometryCollection':
      return ((value as Geometry).geometries ?? []).flatMap(polygonsOf);
    case 'Polygon':
      return [object.coordinates as number[][][]];
    case 'MultiPolygon':
      return object.coordinates as number[][][][];
    default:
      return [];
  }
}

/**
 * Reads the polygon an export is cropped to from a GeoJSON file (longitude/latitude, as GeoJSON is).
 * Every polygon in the file counts; the server checks their validity and vertex limit.
 */
export function readCropFile(file: string): GeoJsonPolygon {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`--crop: can't read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, ExitCode.usage);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`--crop: ${file} is not GeoJSON (${(error as Error).message}). Convert it with: ogr2ogr -f GeoJSON -t_srs EPSG:4326 crop.geojson ${file}`, ExitCode.usage);
  }
  const crs = (parsed as { crs?: { properties?: { name?: string } } }).crs?.properties?.name;
  if (crs && !/CRS84$|EPSG::?4326$/.test(crs)) {
    throw new UserError(`--crop: ${file} is in ${crs}; a crop polygon must be in longitude/latitude. Convert it with: ogr2ogr -f GeoJSON -t_srs EPSG:4326 crop.geojson ${file}`, ExitCode.usage);
  }
  const polygons = polygonsOf(parsed);
  if (!polygons.length) throw new UserError(`--crop: ${file} holds no Polygon or MultiPolygon.`, ExitCode.usage);
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
}
