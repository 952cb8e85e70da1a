/**
 * The GDAL bridge: the only modules that import gdal-async live in geo/. Mapshelf uses Debian's
 * libgdal (gdal-async built with --shared_gdal), so formats, PROJ and GEOS are the system's.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import gdal from 'gdal-async';

const run = promisify(execFile);

/**
 * GDAL settings for every GDAL Mapshelf runs, in this process and in its ogr2ogr children.
 * Uploaded files are untrusted, and some formats name URLs GDAL would fetch (a GeoJSON `crs` of
 * type `link`, GML schemas, KML styles): every HTTP request GDAL makes goes to a proxy address
 * where nothing listens, so none leaves the machine or reaches a service on it, and `/vsicurl/`
 * accepts no file name at all. PROJ's network grids are off too.
 */
export const gdalSafetyOptions: Readonly<Record<string, string>> = {
  GDAL_HTTP_PROXY: '127.0.0.1:9',
  GDAL_HTTPS_PROXY: '127.0.0.1:9',
  GDAL_HTTP_CONNECTTIMEOUT: '1',
  GDAL_HTTP_TIMEOUT: '1',
  GDAL_HTTP_MAX_RETRY: '0',
  CPL_VSIL_CURL_ALLOWED_EXTENSIONS: '.mapshelf-no-network',
  GML_SKIP_RESOLVE_ELEMS: 'ALL',
  GML_DOWNLOAD_WFS_SCHEMA: 'NO',
  LIBKML_RESOLVE_STYLE: 'NO',
  LIBKML_EXTERNAL_STYLE: 'NO',
  PROJ_NETWORK: 'OFF',
  // Reproject what can be reprojected, rather than failing a whole geometry for one point.
  OGR_ENABLE_PARTIAL_REPROJECTION: 'TRUE',
};
for (const [key, value] of Object.entries(gdalSafetyOptions)) gdal.config.set(key, value);
// libcurl reads NO_PROXY from the environment and would go around the proxy above for the hosts
// it names (typically localhost): GDAL in this process must not see it.
for (const name of ['no_proxy', 'NO_PROXY']) delete process.env[name];
process.env.PROJ_NETWORK = 'OFF';

/** The environment for a GDAL child process: this one's, with the settings above. */
export function gdalChildEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...gdalSafetyOptions, ...extra };
}

export interface GdalInfo {
  version: string;
  /** False when gdal-async links the system libgdal, as Mapshelf's setup builds it. */
  bundled: boolean;
  vectorDrivers: number;
}

export function gdalInfo(): GdalInfo {
  return {
    version: gdal.version,
    bundled: gdal.bundled,
    vectorDrivers: gdal.drivers.getNames().filter((name) => gdal.drivers.get(name).getMetadata().DCAP_VECTOR === 'YES').length,
  };
}

export interface CrsInfo {
  /** `EPSG:2193` when the CRS matches an EPSG code. */
  id: string | null;
  wkt: string;
}

// OGC:CRS84 is WGS 84 in lon, lat order; EPSG:4326 from the EPSG registry would be lat, lon.
// gdal-async does not expose the axis mapping strategy, so the order is chosen by the CRS itself.
export const crs84 = gdal.SpatialReference.fromUserInput('OGC:CRS84');

/**
 * Names the EPSG code of a CRS: from its authority if it has one, else by matching it against
 * the EPSG database. gdal-async lacks OSRFindMatches, so ESRI-style WKT (a .prj such as
 * NAD_1983_Contiguous_USA_Albers) is matched by `gdalsrsinfo`, which uses it.
 */
export async function identifyCrs(srs: gdal.SpatialReference | null): Promise<CrsInfo | null> {
  if (!srs) return null;
  const wkt = srs.toWKT();
  const authority = srs.getAuthorityName(null);
  const code = srs.getAuthorityCode(null);
  if (authority === 'EPSG' && code) return { id: `EPSG:${code}`, wkt };
  try {
    const { stdout } = await run('gdalsrsinfo', ['-o', 'epsg', wkt], { timeout: 30_000, env: gdalChildEnv() });
    const match = /EPSG:(\d+)/.exec(stdout);
    return { id: match && match[1] !== '-1' ? `EPSG:${match[1]}` : null, wkt };
  } catch {
    return { id: null, wkt };
  }
}

/** [minx, miny, maxx, maxy] in lon/lat of a layer, or null for tables and empty layers. */
export function layerExtent4326(layer: gdal.Layer): [number, number, number, number] | null {
  if (layer.geomType === gdal.wkbNone || layer.features.count() === 0) return null;
  const envelope = layer.getExtent();
  const polygon = envelope.toPolygon();
  if (layer.srs) {
    // Densify first, so curved edges of a projected box are not cut short by reprojection.
    polygon.segmentize(Math.max(envelope.maxX - envelope.minX, envelope.maxY - envelope.minY) / 32 || 1);
    try {
      // A layer's own CRS comes with GIS (x, y) axis order from OGR. Corners of a projected box can
      // lie outside the projection's domain (Alaska to Guam in Albers); partial reprojection drops them.
      polygon.transform(new gdal.CoordinateTransformation(layer.srs, crs84));
    } catch {
      return null;
    }
    if (polygon.isEmpty()) return null;
  }
  const e = polygon.getEnvelope();
  return [e.minX, e.minY, e.maxX, e.maxY];
}

export function geometryTypeName(layer: gdal.Layer): string | null {
  return layer.geomType === gdal.wkbNone ? null : (gdal.Geometry.getName(layer.geomType) ?? 'Unknown');
}

/** The CRS names users may give: an authority and a code. */
const crsIdPattern = /^(EPSG|ESRI):\d{1,9}$/;

/**
 * True when `crs` is an authority code GDAL knows, e.g. `EPSG:2193`. Only codes are accepted:
 * GDAL's user-input parser would also read a file path or fetch a URL given in their place.
 */
export function isKnownCrs(crs: string): boolean {
  if (!crsIdPattern.test(crs)) return false;
  try {
    gdal.SpatialReference.fromUserInput(crs);
    return true;
  } catch {
    return false;
  }
}
