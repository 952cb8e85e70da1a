/**
 * The GDAL bridge: the only module that imports gdal-async. Mapshelf uses Debian's libgdal
 * (gdal-async built with --shared_gdal), so formats, PROJ and GEOS are the system's.
 */
import gdal from 'gdal-async';

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

export interface VectorLayerSummary {
  name: string;
  geometryType: string;
  featureCount: number;
  crs: CrsInfo | null;
  fields: Array<{ name: string; type: string }>;
  /** [minx, miny, maxx, maxy] in EPSG:4326 (lon, lat), or null for tables and empty layers. */
  extent4326: [number, number, number, number] | null;
}

// OGC:CRS84 is WGS 84 in lon, lat order; EPSG:4326 from the EPSG registry would be lat, lon.
// gdal-async does not expose the axis mapping strategy, so the order is chosen by the CRS itself.
const crs84 = gdal.SpatialReference.fromUserInput('OGC:CRS84');

export function describeCrs(srs: gdal.SpatialReference | null): CrsInfo | null {
  if (!srs) return null;
  let authority = srs.getAuthorityName(null);
  let code = srs.getAuthorityCode(null);
  if (!authority || !code) {
    try {
      srs.autoIdentifyEPSG();
      authority = srs.getAuthorityName(null);
      code = srs.getAuthorityCode(null);
    } catch {
      // Not identifiable: the WKT stands on its own.
    }
  }
  return { id: authority === 'EPSG' && code ? `EPSG:${code}` : null, wkt: srs.toWKT() };
}

function extentIn4326(layer: gdal.Layer): VectorLayerSummary['extent4326'] {
  if (layer.geomType === gdal.wkbNone || layer.features.count() === 0) return null;
  const envelope = layer.getExtent();
  const polygon = envelope.toPolygon();
  if (layer.srs) {
    // Densify first, so curved edges of a projected box are not cut short by reprojection.
    polygon.segmentize(Math.max(envelope.maxX - envelope.minX, envelope.maxY - envelope.minY) / 32 || 1);
    // A layer's own CRS comes with GIS (x, y) axis order from OGR.
    polygon.transform(new gdal.CoordinateTransformation(layer.srs, crs84));
  }
  const e = polygon.getEnvelope();
  return [e.minX, e.minY, e.maxX, e.maxY];
}

/** Opens a vector dataset read-only and summarizes each of its layers. */
export async function describeVectorDataset(path: string): Promise<VectorLayerSummary[]> {
  const dataset = await gdal.openAsync(path, 'r');
  try {
    return dataset.layers.map((layer) => ({
      name: layer.name,
      geometryType: gdal.Geometry.getName(layer.geomType) ?? 'None',
      featureCount: layer.features.count(),
      crs: describeCrs(layer.srs),
      fields: layer.fields.map((f) => ({ name: f.name, type: f.type })),
      extent4326: extentIn4326(layer),
    }));
  } finally {
    dataset.close();
  }
}
