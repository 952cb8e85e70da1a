/**
 * Row types of the catalog database, as Kysely sees them on every engine. Timestamps are ISO
 * 8601 UTC text (sortable as strings). JSON and boolean columns read back differently by engine
 * (`Json`, `Bool`); the repositories decode them (`repositories/columns.ts`), and the domain
 * never sees these types.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { MetadataFormat } from '../domain/metadata/index.js';
import type { ExportItem, ExportState } from '../domain/model/exports.js';
import type { MemberRole } from '../domain/model/groups.js';
import type { ChangeCounts, LayerType, VersionStatus } from '../domain/model/layers.js';
import type { SetItemType } from '../domain/model/sets.js';
import type { ScanStatus, SourceOptions } from '../domain/model/sources.js';
import type { Bbox, CropPolygon } from '../geo/crop.js';
import type { FieldInfo } from '../geo/datasets.js';

/** A JSON column: text in SQLite, jsonb (read back parsed) in PostgreSQL; written as JSON text. */
export type Json<T> = ColumnType<string | T, string, string>;
export type JsonOrNull<T> = ColumnType<string | T | null, string | null, string | null>;
/** A boolean column: 0/1 in SQLite, boolean in PostgreSQL; written as 1/0, which both take. */
export type Bool = ColumnType<number | boolean, number, number>;
import type { JobStatus } from '../domain/ports/job-queue.js';

export interface UsersTable {
  id: Generated<number>;
  uid: string;
  username: string;
  email: string | null;
  first_name: string;
  last_name: string;
  is_admin: Bool;
  is_active: Bool;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable {
  id: Generated<number>;
  uid: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface GroupMembersTable {
  group_id: number;
  user_id: number;
  role: MemberRole;
  joined_at: string;
}

export interface TokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  key_hash: string;
  /** The first characters of the secret, so a user can tell tokens apart. */
  key_hint: string;
  /** Space-separated, as on the wire. */
  scope: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface ExportsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  state: ExportState;
  created_via: string;
  created_at: string;
  updated_at: string;
  crs: string | null;
  /** { kind: mimetype } */
  formats: Json<Record<string, string>>;
  items: Json<ExportItem[]>;
  /**
   * The extent as requested, a GeoJSON geometry or a crop feature URL, as JSON text on every
   * engine: it may hold a bare JSON string, which jsonb would hand back unquoted.
   */
  extent: string | null;
  /** The GeoJSON (Multi)Polygon in EPSG:4326 the export is cropped to. */
  crop_geometry: JsonOrNull<CropPolygon>;
  options: Json<Record<string, unknown>>;
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

export interface CropLayersTable {
  id: Generated<number>;
  name: string;
  source_layer_id: number | null;
  source_version_id: number | null;
  name_field: string | null;
  /** [minx, miny, maxx, maxy] in EPSG:4326 */
  extent: JsonOrNull<Bbox>;
  created_by: number;
  created_at: string;
}

export interface CropFeaturesTable {
  id: Generated<number>;
  crop_layer_id: number;
  name: string;
  geometry: Json<CropPolygon>;
  extent: Json<Bbox>;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: Json<unknown>;
  status: JobStatus;
  /** Failed runs, plus the current one while it runs; an interrupted run is given back. */
  attempts: number;
  max_attempts: number;
  /** Runs stopped by a shutdown or a crash: not the job's failures, and limited apart. */
  interruptions: Generated<number>;
  /** 1 while a failed or cancelled job's `onFailure` has yet to run. */
  on_failure_due: ColumnType<number | boolean, number | undefined, number>;
  run_at: string;
  locked_at: string | null;
  /** The lease's holder (a worker, or the process running a failed job's `onFailure`). */
  locked_by: Generated<string | null>;
  /** When the lease ends unless renewed; null (rows from before leases) counts as ended. */
  locked_until: Generated<string | null>;
  /** 1 once a cancel was asked for while the job ran. */
  cancel_requested: ColumnType<number | boolean, number | undefined, number>;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface LicensesTable {
  id: Generated<number>;
  slug: string;
  jurisdiction: string;
  title: string;
  type: string;
  version: string;
  url: string | null;
  text: string;
  is_custom: Bool;
  created_at: string;
}

export interface SourcesTable {
  id: Generated<number>;
  uid: string;
  type: string;
  title: string;
  description: string;
  group_id: number;
  owner_id: number;
  /** Relative to the data folder. */
  folder: string;
  options: Json<SourceOptions>;
  created_at: string;
  updated_at: string;
  last_scanned_at: string | null;
}

export interface ScansTable {
  id: Generated<number>;
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

export interface DatasourcesTable {
  id: Generated<number>;
  source_id: number;
  upload_path: string;
  layer_name: string;
  title: string;
  data_type: 'vector' | 'table';
  format: string;
  geometry_type: string | null;
  crs: string | null;
  crs_wkt: string | null;
  fields: Json<FieldInfo[]>;
  num_features: number;
  /** [minx, miny, maxx, maxy] in EPSG:4326 */
  extent: JsonOrNull<Bbox>;
  metadata_path: string | null;
  encoding: string | null;
  created_at: string;
  updated_at: string;
  removed_at: string | null;
}

export interface LayersTable {
  id: Generated<number>;
  uid: string;
  type: LayerType;
  group_id: number;
  owner_id: number;
  published_version_id: number | null;
  first_published_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface VersionsTable {
  id: Generated<number>;
  layer_id: number;
  number: number;
  status: VersionStatus;
  title: string;
  description: string;
  tags: Json<string[]>;
  categories: Json<string[]>;
  license_id: number | null;
  datasources: Json<number[]>;
  requested_crs: string | null;
  crs: string | null;
  geometry_type: string | null;
  geometry_field: string | null;
  fields: Json<FieldInfo[]>;
  primary_key_fields: Json<string[]>;
  feature_count: number | null;
  /** [minx, miny, maxx, maxy] in EPSG:4326 */
  extent: JsonOrNull<Bbox>;
  /** Relative to the data folder. */
  data_file: string | null;
  progress: number;
  error: string | null;
  import_log: string;
  change_counts: JsonOrNull<ChangeCounts>;
  job_id: number | null;
  created_by: number;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

export interface PublishRequestsTable {
  id: Generated<number>;
  state: 'pending' | 'publishing' | 'completed' | 'error' | 'cancelled';
  publish_strategy: 'together' | 'individual';
  error_strategy: 'abort' | 'ignore';
  publish_at: string | null;
  error: string | null;
  job_id: number | null;
  created_by: number;
  created_at: string;
  completed_at: string | null;
}

export interface PublishItemsTable {
  publish_id: number;
  version_id: number;
  state: string;
}

export interface MetadataDocumentsTable {
  version_id: number;
  format: MetadataFormat;
  xml: string;
  created_at: string;
}

export interface PermissionsTable {
  id: Generated<number>;
  item_kind: 'layer' | 'source' | 'set' | 'document';
  item_id: number;
  /** `group.everyone`, `group.<id>` or `user.<id>` */
  principal: string;
  level: 'view' | 'download' | 'edit' | 'admin';
  created_at: string;
}

export interface CatalogItemsTable {
  id: Generated<number>;
  kind: 'layer' | 'table' | 'set' | 'document';
  item_id: number;
  view: 'published' | 'latest';
  version_id: number | null;
  version_status: string | null;
  group_id: number;
  title: string;
  description: string;
  /** JSON string[]; the full-text index reads the words inside. */
  tags: string;
  categories: string;
  fields: string;
  license_id: number | null;
  license_type: string | null;
  minx: number | null;
  miny: number | null;
  maxx: number | null;
  maxy: number | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  popularity: Generated<number>;
  /** A sample of the version's text values, one a line, for the full-text index only (never read back by searches). */
  text_values: ColumnType<string, string | undefined, string>;
  /** What group.everyone holds on the item: 0 for nothing, 1 view … 4 admin. Kept by triggers on `permissions` (migration 0011). */
  public_level: ColumnType<number, never, never>;
}

/** A sample of an imported version's distinct text values (`geo/text-values.ts`), read once from its file. */
export interface VersionTextValuesTable {
  version_id: number;
  /** JSON string[] */
  text_values: string;
}

export interface SetsTable {
  id: Generated<number>;
  uid: string;
  group_id: number;
  owner_id: number;
  published_version_id: number | null;
  first_published_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SetVersionsTable {
  id: Generated<number>;
  set_id: number;
  number: number;
  title: string;
  description: string;
  tags: Json<string[]>;
  categories: Json<string[]>;
  license_id: number | null;
  /** The set's display settings as the client gave them. */
  settings: Json<Record<string, unknown>>;
  created_by: number;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

export interface SetItemsTable {
  set_version_id: number;
  position: number;
  item_type: SetItemType;
  item_id: number;
}

export interface SetMetadataDocumentsTable {
  set_version_id: number;
  format: MetadataFormat;
  xml: string;
  created_at: string;
}

export interface PublishSetItemsTable {
  publish_id: number;
  set_version_id: number;
  state: string;
}

export interface DocumentsTable {
  id: Generated<number>;
  uid: string;
  group_id: number;
  owner_id: number;
  title: string;
  description: string;
  tags: Json<string[]>;
  categories: Json<string[]>;
  license_id: number | null;
  /** Relative to the data folder. */
  file: string;
  /** The name it was uploaded under, for downloads. */
  filename: string;
  /** Sniffed from the content, not taken from the client. */
  media_type: string;
  size: number;
  sha256: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  tokens: TokensTable;
  exports: ExportsTable;
  crop_layers: CropLayersTable;
  crop_features: CropFeaturesTable;
  jobs: JobsTable;
  licenses: LicensesTable;
  sources: SourcesTable;
  scans: ScansTable;
  datasources: DatasourcesTable;
  layers: LayersTable;
  versions: VersionsTable;
  publish_requests: PublishRequestsTable;
  publish_items: PublishItemsTable;
  metadata_documents: MetadataDocumentsTable;
  permissions: PermissionsTable;
  catalog_items: CatalogItemsTable;
  version_text_values: VersionTextValuesTable;
  sets: SetsTable;
  set_versions: SetVersionsTable;
  set_items: SetItemsTable;
  set_metadata_documents: SetMetadataDocumentsTable;
  publish_set_items: PublishSetItemsTable;
  documents: DocumentsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type GroupMemberRow = Selectable<GroupMembersTable>;
export type TokenRow = Selectable<TokensTable>;
export type ExportRow = Selectable<ExportsTable>;
export type CropLayerRow = Selectable<CropLayersTable>;
export type CropFeatureRow = Selectable<CropFeaturesTable>;
export type JobRow = Selectable<JobsTable>;
export type LicenseRow = Selectable<LicensesTable>;
export type SourceRow = Selectable<SourcesTable>;
export type ScanRow = Selectable<ScansTable>;
export type DatasourceRow = Selectable<DatasourcesTable>;
export type LayerRow = Selectable<LayersTable>;
export type VersionRow = Selectable<VersionsTable>;
export type PublishRequestRow = Selectable<PublishRequestsTable>;
export type PermissionRow = Selectable<PermissionsTable>;
export type SetRow = Selectable<SetsTable>;
export type SetVersionRow = Selectable<SetVersionsTable>;
export type SetItemRow = Selectable<SetItemsTable>;
export type DocumentRow = Selectable<DocumentsTable>;
