import { cropCoverage, type CropPolygon } from '../geo/crop.js';
import type { ExportFormat } from '../geo/export-formats.js';

/** What the estimate knows of one item. */
export interface SizedItem {
  /** Size of the version's GeoPackage. */
  fileSize: number;
  extent: [number, number, number, number] | null;
  format: ExportFormat;
  /** This item's own cut (the crop narrowed to the CRS's area of use), when it differs from the export's. */
  crop?: CropPolygon | null;
  /** The cut keeps nothing of this item. */
  keepsNothing?: boolean;
}

/** A GeoPackage with one empty layer and its R-tree is about this size; the rest is data. */
const emptyGeoPackage = 96 * 1024;
/** Zipped ISO metadata and licence text beside each item. */
const sidecarBytes = 2 * 1024;

/**
 * Zipped output bytes per byte of GeoPackage data, and a fixed part per item, measured on the
 * test data (exports.test.ts reports each ratio): text formats grow, then compress well.
 */
const factors: Record<string, { perByte: number; fixed: number }> = {
  gpkg: { perByte: 0.35, fixed: 4 * 1024 },
  shp: { perByte: 0.5, fixed: 1024 },
  csv: { perByte: 0.3, fixed: 256 },
  kml: { perByte: 0.45, fixed: 512 },
  geojson: { perByte: 0.5, fixed: 256 },
  fgb: { perByte: 0.5, fixed: 512 },
  gml: { perByte: 0.6, fixed: 1024 },
  tab: { perByte: 0.5, fixed: 1024 },
  dxf: { perByte: 0.6, fixed: 1536 },
  gdb: { perByte: 0.6, fixed: 10 * 1024 },
  xlsx: { perByte: 0.5, fixed: 6 * 1024 },
  ods: { perByte: 0.5, fixed: 6 * 1024 },
};

/**
 * Estimates an export's zip size from each item's data size, the share of its features the
 * crop keeps (by area, as if they were spread evenly over the extent) and the format.
 */
export function estimateZippedSize(items: SizedItem[], crop: CropPolygon | null): number {
  let total = 22; // the zip's end record
  for (const item of items) {
    const cut = item.crop !== undefined ? item.crop : crop;
    const kept = item.keepsNothing ? 0 : cut && item.extent ? cropCoverage(cut, item.extent) : 1;
    const data = Math.max(0, item.fileSize - emptyGeoPackage) * kept;
    const factor = factors[item.format.short] ?? { perByte: 0.6, fixed: 4096 };
    total += Math.round(data * factor.perByte) + factor.fixed + sidecarBytes;
  }
  return total;
}
