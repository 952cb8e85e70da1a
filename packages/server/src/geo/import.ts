import gdal from 'gdal-async';
import { useDataset, type FieldInfo } from './datasets.js';
import { geometryTypeName, identifyCrs, layerExtent4326 } from './gdal.js';

/** The name of the one layer in every version's GeoPackage. */
export const versionLayerName = 'data';

export interface ImportOptions {
  /** Absolute path of the dataset file. */
  source: string;
  layerName: string;
  destination: string;
  /** `EPSG:xxxx`: assigned when the source has no CRS, reprojected to when it has another. */
  crs: string | null;
  /** Keep the source's feature ids (for formats where they are stable, such as GeoPackage). */
  preserveFids: boolean;
  onProgress: (fraction: number) => void;
  /** Gives up while waiting for its turn at a dataset read one at a time (KML). */
  signal?: AbortSignal;
}

export interface ImportedLayer {
  crs: string | null;
  geometryType: string | null;
  geometryField: string | null;
  featureCount: number;
  fields: FieldInfo[];
  extent4326: [number, number, number, number] | null;
  /** Features whose geometry GEOS reports invalid (kept as they are). */
  invalidGeometries: number;
}

/**
 * Writes one datasource layer into a new GeoPackage with GDAL's vectorTranslate (ogr2ogr),
 * streaming feature by feature, then describes the result.
 */
export async function importToGeoPackage(options: ImportOptions): Promise<ImportedLayer> {
  await useDataset(options.source, async (source) => {
    const layer = source.layers.get(options.layerName);
    const args = ['-f', 'GPKG', '-nln', versionLayerName, '-lco', 'FID=fid', '-lco', 'GEOMETRY_NAME=geom', '-gt', '65536'];
    if (options.preserveFids) args.push('-preserve_fid');
    if (options.crs && layer.geomType !== gdal.wkbNone) args.push(layer.srs ? '-t_srs' : '-a_srs', options.crs);
    args.push(options.layerName);
    const output = await gdal.vectorTranslateAsync(options.destination, source, args, {
      progress_cb: (complete) => options.onProgress(complete),
    });
    output.close();
  }, options.signal);
  return describeImported(options.destination);
}

async function describeImported(path: string): Promise<ImportedLayer> {
  const dataset = await gdal.openAsync(path, 'r');
  try {
    const layer = dataset.layers.get(versionLayerName);
    const geometryType = geometryTypeName(layer);
    let invalid = 0;
    if (geometryType !== null) {
      // Counted in SQL inside GDAL (GEOS validity), without pulling features into JavaScript.
      const result = dataset.executeSQL(`SELECT count(*) AS n FROM ${versionLayerName} WHERE ST_IsValid(geom) = 0`);
      invalid = Number(result.features.first()?.fields.get('n') ?? 0);
    }
    return {
      crs: geometryType === null ? null : ((await identifyCrs(layer.srs))?.id ?? null),
      geometryType,
      geometryField: geometryType === null ? null : layer.geomColumn || 'geom',
      featureCount: layer.features.count(),
      fields: layer.fields.map((f) => ({ name: f.name, type: f.type })),
      extent4326: layerExtent4326(layer),
      invalidGeometries: invalid,
    };
  } finally {
    dataset.close();
  }
}
