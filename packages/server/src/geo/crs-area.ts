/**
 * The area of use of a CRS, as PROJ's database records it, and what it means for an export:
 * data outside a projected CRS's area of use may lie outside its projection's domain, where
 * PROJ refuses to reproject it ("Point outside of projection domain") and the export fails. So
 * an item whose extent leaves the target CRS's area of use, where PROJ can't reach all of it,
 * is clipped to it, in lon/lat, through the same crop path as a user's extent (`exportClip`).
 *
 * gdal-async does not expose `OSRGetAreaOfUse`, and `projinfo` is not always installed, so the
 * extents are read from `proj.db` (`proj-database.ts`), the database PROJ itself answers from.
 */
import gdal from 'gdal-async';
import type { Bbox, CropPolygon } from './crop.js';
import { crs84 } from './gdal.js';
import { projDatabase } from './proj-database.js';

export interface AreaOfUse {
  /** The CRS, e.g. `EPSG:2193`. */
  crs: string;
  /** PROJ's name for the extent, e.g. `New Zealand - onshore`. */
  name: string;
  /** West, south, east, north in degrees, as PROJ gives them: west > east crosses the antimeridian. */
  bounds: [number, number, number, number];
  /** The same as boxes of lon/lat with west < east (two when it crosses the antimeridian). */
  boxes: Bbox[];
  /** The area covers the whole world: nothing is ever outside it. */
  global: boolean;
}

const cache = new Map<string, AreaOfUse | null>();

/**
 * The area of use of an `AUTHORITY:CODE` CRS, or null when PROJ's database doesn't record one.
 * A CRS with several usages gets the box around all of them.
 */
export function crsAreaOfUse(crs: string): AreaOfUse | null {
  if (cache.has(crs)) return cache.get(crs)!;
  const match = /^([A-Z]+):(\d{1,9})$/.exec(crs);
  const db = match ? projDatabase() : null;
  let area: AreaOfUse | null = null;
  if (match && db) {
    const rows = db
      .prepare(
        `SELECT e.name AS name, e.west_lon AS w, e.south_lat AS s, e.east_lon AS e, e.north_lat AS n
         FROM usage u JOIN extent e ON e.auth_name = u.extent_auth_name AND e.code = u.extent_code
         WHERE u.object_auth_name = ? AND u.object_code = ?
           AND u.object_table_name IN ('projected_crs', 'geodetic_crs', 'compound_crs')
           AND e.west_lon IS NOT NULL AND e.south_lat IS NOT NULL AND e.east_lon IS NOT NULL AND e.north_lat IS NOT NULL
         ORDER BY u.auth_name, u.code`,
      )
      .all(match[1], match[2]) as Array<{ name: string; w: number; s: number; e: number; n: number }>;
    const boxes: Bbox[] = rows.flatMap(({ w, s, e, n }) => (w <= e ? [[w, s, e, n] as Bbox] : [[w, s, 180, n] as Bbox, [-180, s, e, n] as Bbox]));
    if (rows.length > 0) {
      const first = rows[0]!;
      const bounds: [number, number, number, number] =
        rows.length === 1
          ? [first.w, first.s, first.e, first.n]
          : [Math.min(...boxes.map((b) => b[0])), Math.min(...rows.map((r) => r.s)), Math.max(...boxes.map((b) => b[2])), Math.max(...rows.map((r) => r.n))];
      const global = boxes.some(([w, s, e, n]) => w <= -180 && s <= -90 && e >= 180 && n >= 90);
      area = { crs, name: rows.map((r) => r.name).filter((v, i, all) => all.indexOf(v) === i).join('; '), bounds, boxes, global };
    }
  }
  cache.set(crs, area);
  return area;
}

const round = (n: number) => String(Math.round(n * 100) / 100);

/** `New Zealand - onshore: longitude 166.37 to 178.63, latitude -47.33 to -34.1`. */
export function describeArea(area: AreaOfUse): string {
  const [w, s, e, n] = area.bounds;
  return `${area.name}: longitude ${round(w)} to ${round(e)}${w > e ? ' (across the antimeridian)' : ''}, latitude ${round(s)} to ${round(n)}`;
}

/** A lon/lat box as a polygon, its edges cut into steps of at most a degree (they are curves in a projected CRS). */
function boxGeometry([minx, miny, maxx, maxy]: Bbox): gdal.Geometry {
  const polygon = gdal.Geometry.fromWKT(`POLYGON ((${minx} ${miny}, ${maxx} ${miny}, ${maxx} ${maxy}, ${minx} ${maxy}, ${minx} ${miny}))`);
  polygon.segmentize(1);
  return polygon;
}

function areaGeometry(area: AreaOfUse): gdal.Geometry {
  const multi = new gdal.MultiPolygon();
  for (const box of area.boxes) multi.children.add(boxGeometry(box) as gdal.Polygon);
  return multi.unionCascaded();
}

/** Only the polygons of a geometry (an intersection can leave lines and points on shared edges), or null. */
function polygonsOf(geometry: gdal.Geometry): CropPolygon | null {
  if (geometry.isEmpty()) return null;
  const flat = (geometry.wkbType & 0x7fffffff) % 1000;
  let kept: gdal.Geometry = geometry;
  if (flat === gdal.wkbGeometryCollection) {
    const multi = new gdal.MultiPolygon();
    for (const part of (geometry as gdal.GeometryCollection).children) {
      const type = (part.wkbType & 0x7fffffff) % 1000;
      if (type === gdal.wkbPolygon) multi.children.add(part as gdal.Polygon);
      else if (type === gdal.wkbMultiPolygon) for (const p of (part as gdal.MultiPolygon).children) multi.children.add(p);
    }
    kept = multi;
  } else if (flat !== gdal.wkbPolygon && flat !== gdal.wkbMultiPolygon) return null;
  if (kept.isEmpty() || (kept as gdal.Polygon).getArea() === 0) return null;
  return JSON.parse(kept.toJSON()) as CropPolygon;
}

/**
 * The share (0-1) of a region (a lon/lat bbox, narrowed to the crop if there is one) that lies
 * outside an area; a region without area is in or out whole.
 */
function shareOutside(area: gdal.Geometry, [minx, miny, maxx, maxy]: Bbox, crop: gdal.Geometry | null): number {
  if ((maxx - minx) * (maxy - miny) === 0) return area.intersects(gdal.Geometry.fromWKT(`POINT (${minx} ${miny})`)) ? 0 : 1;
  let region = boxGeometry([minx, miny, maxx, maxy]);
  if (crop) region = region.intersection(crop);
  const size = (region as gdal.Polygon).getArea();
  if (size === 0) return 0;
  const inside = (area.intersection(region) as gdal.Polygon).getArea();
  return Math.max(0, Math.min(1, 1 - inside / size));
}

/**
 * Whether PROJ can take every point of a lon/lat region into a CRS: a 33 × 33 grid over the
 * region's box, each point transformed on its own (a failure, or a coordinate that isn't finite,
 * says no). A projection usually reaches well past its CRS's area of use (New Zealand's grid
 * reaches Tasmania), so data there is still reprojected; only when this says no is the item cut.
 */
function reprojectsEverywhere(targetCrs: string, [minx, miny, maxx, maxy]: Bbox): boolean {
  let target: gdal.SpatialReference;
  try {
    target = gdal.SpatialReference.fromUserInput(targetCrs);
  } catch {
    return false;
  }
  const transform = new gdal.CoordinateTransformation(crs84, target);
  const steps = 32;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const x = minx + ((maxx - minx) * i) / steps;
      const y = miny + ((maxy - miny) * j) / steps;
      try {
        const p = transform.transformPoint(x, y);
        if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
      } catch {
        return false;
      }
    }
  }
  return true;
}

export interface ExportClip {
  /** The polygon (lon/lat) to cut the item at, or null for the whole item. */
  crop: CropPolygon | null;
  /** The cut keeps nothing: the crop and the area of use don't meet, or the item lies outside both. */
  keepsNothing: boolean;
  /** Set when the target CRS's area of use cuts the item: that area, and the share of the item's extent outside it. */
  areaCut: { area: AreaOfUse; shareOutside: number } | null;
}

export interface ExportClipInput {
  /** The CRS the item is written in (`EPSG:xxxx`), or null when it is not reprojected. */
  targetCrs: string | null;
  /** The CRS the item's data is stored in (`EPSG:xxxx`), if known. */
  sourceCrs: string | null;
  /** The export's own crop, lon/lat. */
  crop: CropPolygon | null;
  /** The item's extent in lon/lat. */
  extent: Bbox | null;
}

/**
 * Where one item of an export is cut: at the export's crop, intersected with the target CRS's
 * area of use when the item's extent leaves that area and PROJ can't reproject all of it there
 * (data that is not reprojected, or goes to a CRS whose area is the whole world, is not cut). Without a crop the area itself is
 * used, narrowed to the item's extent (with a margin), so that a projected source CRS is never
 * asked to express the whole area of use.
 */
export function exportClip(input: ExportClipInput): ExportClip {
  const unchanged: ExportClip = { crop: input.crop, keepsNothing: false, areaCut: null };
  const { targetCrs, extent } = input;
  if (!targetCrs || !extent || (input.sourceCrs !== null && input.sourceCrs === targetCrs)) return unchanged;
  const area = crsAreaOfUse(targetCrs);
  if (!area || area.global) return unchanged;
  const areaShape = areaGeometry(area);
  const cropShape = input.crop ? gdal.Geometry.fromGeoJson(input.crop) : null;
  // A crop inside the area of use loses nothing to it.
  if (cropShape && areaShape.contains(cropShape)) return unchanged;
  const outside = shareOutside(areaShape, extent, cropShape);
  if (outside === 0) return unchanged;
  // Outside the area of use, but within reach of the projection: reprojected as it is.
  let region = boxGeometry(extent);
  if (cropShape) region = region.intersection(cropShape);
  if (region.isEmpty()) return unchanged;
  const e = region.getEnvelope();
  if (reprojectsEverywhere(targetCrs, [e.minX, e.minY, e.maxX, e.maxY])) return unchanged;
  let clip: gdal.Geometry;
  if (cropShape) clip = cropShape.intersection(areaShape);
  else {
    const [minx, miny, maxx, maxy] = extent;
    const margin = Math.max(0.01, (maxx - minx) * 0.01, (maxy - miny) * 0.01);
    const around: Bbox = [Math.max(-180, minx - margin), Math.max(-90, miny - margin), Math.min(180, maxx + margin), Math.min(90, maxy + margin)];
    clip = areaShape.intersection(boxGeometry(around));
  }
  const crop = polygonsOf(clip);
  return { crop, keepsNothing: crop === null, areaCut: { area, shareOutside: outside } };
}
