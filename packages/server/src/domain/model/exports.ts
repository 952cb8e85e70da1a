import type { Bbox, CropPolygon } from '../../geo/crop.js';
import type { LayerType } from './layers.js';
import type { Optional } from './optional.js';

export type ExportState = 'processing' | 'complete' | 'error' | 'cancelled' | 'gone';

/** An item as the export stores it and the job reads it. */
export interface ExportItem {
  type: LayerType;
  layer_id: number;
  version_id: number;
  /** The client named this version (a version URL), not the layer. */
  pinned: boolean;
  kind: 'vector' | 'table';
  title: string;
  /** Unique within the export: the item's folder and file names. */
  base_name: string;
  layer_url: string;
  /** The Metadata API's root URL, where the item's ISO document finds its record's hosted files; absent from exports made before records. */
  metadata_url?: string;
  color: string | null;
}

export interface Export {
  id: number;
  owner_id: number;
  name: string;
  state: ExportState;
  created_via: string;
  created_at: string;
  updated_at: string;
  crs: string | null;
  /** Data kind → mimetype. */
  formats: Record<string, string>;
  items: ExportItem[];
  /** The extent as requested: a GeoJSON geometry, or a crop feature's URL. */
  extent: unknown;
  /** The GeoJSON (Multi)Polygon in EPSG:4326 the export is cropped to. */
  crop_geometry: CropPolygon | null;
  options: Record<string, unknown>;
  size_estimate_zipped: number | null;
  progress: number;
  error: string | null;
  /** Relative path of the finished zip. */
  file: string | null;
  file_size: number | null;
  file_etag: string | null;
  job_id: number | null;
  completed_at: string | null;
  expires_at: string | null;
}

export type NewExport = Optional<Omit<Export, 'id'>, 'error' | 'file' | 'file_size' | 'file_etag' | 'job_id' | 'completed_at' | 'expires_at'>;
export type ExportPatch = Partial<Omit<Export, 'id'>>;

/** Named polygons, made from a polygon layer, that exports can be cropped to. */
export interface CropLayer {
  id: number;
  name: string;
  source_layer_id: number | null;
  source_version_id: number | null;
  name_field: string | null;
  /** [minx, miny, maxx, maxy] in EPSG:4326 */
  extent: Bbox | null;
  created_by: number;
  created_at: string;
}

export type NewCropLayer = Omit<CropLayer, 'id'>;

export interface CropLayerWithCount extends CropLayer {
  feature_count: number;
}

export interface CropFeature {
  id: number;
  crop_layer_id: number;
  name: string;
  geometry: CropPolygon;
  extent: Bbox;
}

export type NewCropFeature = Omit<CropFeature, 'id' | 'crop_layer_id'>;
