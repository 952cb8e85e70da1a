import type { Bbox } from '../../geo/crop.js';
import type { FieldInfo } from '../../geo/datasets.js';
import type { Optional } from './optional.js';

/** What a source's options hold. */
export interface SourceOptions {
  /** Keep the files even if no scan finds anything readable in them. */
  keep_unreadable?: boolean;
}

/** An upload source: files as uploaded, in a folder of the data folder. */
export interface Source {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  type: string;
  title: string;
  description: string;
  group_id: number;
  owner_id: number;
  /** Relative to the data folder. */
  folder: string;
  options: SourceOptions;
  created_at: string;
  updated_at: string;
  last_scanned_at: string | null;
}

export type NewSource = Omit<Source, 'id' | 'uid'>;
export type SourcePatch = Partial<Omit<Source, 'id' | 'uid'>>;

export type ScanStatus = 'queued' | 'scanning' | 'completed' | 'error' | 'cancelled';

export interface Scan {
  id: number;
  source_id: number;
  status: ScanStatus;
  progress: number;
  added: number;
  updated: number;
  deleted: number;
  log: string;
  job_id: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export type NewScan = Optional<Omit<Scan, 'id'>, 'job_id' | 'started_at' | 'completed_at'>;
export type ScanPatch = Partial<Omit<Scan, 'id'>>;

/** A dataset (one layer of a file) a scan found in a source. */
export interface Datasource {
  id: number;
  source_id: number;
  upload_path: string;
  layer_name: string;
  title: string;
  data_type: 'vector' | 'table';
  format: string;
  geometry_type: string | null;
  crs: string | null;
  crs_wkt: string | null;
  fields: FieldInfo[];
  num_features: number;
  /** [minx, miny, maxx, maxy] in EPSG:4326 */
  extent: Bbox | null;
  metadata_path: string | null;
  encoding: string | null;
  created_at: string;
  updated_at: string;
  removed_at: string | null;
}

export type NewDatasource = Omit<Datasource, 'id'>;
export type DatasourcePatch = Partial<Omit<Datasource, 'id'>>;
