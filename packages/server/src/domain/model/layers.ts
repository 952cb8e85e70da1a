import type { Bbox } from '../../geo/crop.js';
import type { FieldInfo } from '../../geo/datasets.js';
import type { Optional } from './optional.js';

export type LayerType = 'layer' | 'table';

/** What every versioned item (layers, tables, sets) holds beside its versions. */
export interface VersionedItem {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  group_id: number;
  owner_id: number;
  published_version_id: number | null;
  first_published_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A layer or a table: what its versions share. */
export interface Layer extends VersionedItem {
  type: LayerType;
}

export type NewLayer = Omit<Layer, 'id' | 'uid'>;
export type LayerPatch = Partial<Omit<Layer, 'id' | 'uid'>>;

export type VersionStatus = 'queued' | 'importing' | 'ok' | 'error';

/** Features added, updated and deleted since the previous imported version. */
export interface ChangeCounts {
  added: number;
  updated: number;
  deleted: number;
}

/** One version of a layer: its metadata, and the data of one import. */
export interface Version {
  id: number;
  layer_id: number;
  number: number;
  status: VersionStatus;
  title: string;
  description: string;
  tags: string[];
  categories: string[];
  license_id: number | null;
  /** Datasource ids (one, today). */
  datasources: number[];
  requested_crs: string | null;
  crs: string | null;
  geometry_type: string | null;
  geometry_field: string | null;
  fields: FieldInfo[];
  primary_key_fields: string[];
  feature_count: number | null;
  /** [minx, miny, maxx, maxy] in EPSG:4326 */
  extent: Bbox | null;
  /** Relative to the data folder. */
  data_file: string | null;
  progress: number;
  error: string | null;
  import_log: string;
  change_counts: ChangeCounts | null;
  job_id: number | null;
  created_by: number;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

export type NewVersion = Optional<Omit<Version, 'id'>, 'error' | 'change_counts' | 'job_id' | 'published_at'>;
export type VersionPatch = Partial<Omit<Version, 'id'>>;

/** A layer seen through one of its versions: what the Data API calls a layer object. */
export interface LayerView extends Version {
  layer_uid: string;
  layer_type: LayerType;
  group_id: number;
  owner_id: number;
  published_version_id: number | null;
  first_published_at: string | null;
  layer_created_at: string;
  latest_version_id: number;
}

/** Which version a layer list shows each layer through. */
export type LayerListMode = 'published' | 'drafts' | 'latest';
