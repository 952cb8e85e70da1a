/**
 * Row types of the catalog database, as Kysely sees them on every engine. Timestamps are ISO
 * 8601 UTC text (sortable as strings). Most tables hold one domain model each (`domain/model/`),
 * so their types are derived from it (`Stored`): what differs is how a column is encoded. JSON
 * and boolean columns read back differently by engine (`Json`, `Bool`); the repositories decode
 * them (`repositories/columns.ts`), and the domain never sees these types.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CatalogRow } from '../domain/ports/store.js';
import type { JobStatus } from '../domain/ports/job-queue.js';
import type { Application, OAuthToken } from '../domain/model/applications.js';
import type { Contact } from '../domain/model/contacts.js';
import type { Specification } from '../domain/model/specifications.js';
import type { RecordPart, RecordSnapshot, ResourceRecord } from '../domain/model/records.js';
import type { RecordCatalog } from '../domain/model/record-catalogs.js';
import type { Share } from '../domain/model/shares.js';
import type { Format } from '../domain/model/formats.js';
import type { Invitation } from '../domain/model/invitations.js';
import type { DocumentItem } from '../domain/model/documents.js';
import type { CropFeature, CropLayer, Export } from '../domain/model/exports.js';
import type { Group, GroupMember } from '../domain/model/groups.js';
import type { Layer, Version } from '../domain/model/layers.js';
import type { License } from '../domain/model/licenses.js';
import type { MetadataDocument, SetMetadataDocument } from '../domain/model/metadata.js';
import type { Permission } from '../domain/model/permissions.js';
import type { PublishRequest } from '../domain/model/publish.js';
import type { ItemSet, SetItem, SetVersion } from '../domain/model/sets.js';
import type { Datasource, Scan, Source } from '../domain/model/sources.js';
import type { Token } from '../domain/model/tokens.js';
import type { User, UserAccount } from '../domain/model/users.js';

/** A JSON column: text in SQLite, jsonb (read back parsed) in PostgreSQL; written as JSON text. */
export type Json<T> = ColumnType<string | T, string, string>;
export type JsonOrNull<T> = ColumnType<string | T | null, string | null, string | null>;
/** A boolean column: 0/1 in SQLite, boolean in PostgreSQL; written as 1/0, which both take. */
export type Bool = ColumnType<number | boolean, number, number>;

/** How a column stores a model's field: JSON (jsonb on PostgreSQL), JSON kept as text on every engine, or a boolean. */
type Encoding = 'json' | 'json text' | 'bool';

/**
 * A table holding one model: `id` is generated, the fields `encodings` names are stored so, and
 * the rest are stored as the model has them.
 */
type Stored<Model, Encodings extends { [K in keyof Model]?: Encoding } = {}> = {
  [K in keyof Model]: K extends 'id'
    ? Generated<number>
    : K extends keyof Encodings
      ? Encodings[K] extends 'bool'
        ? Bool
        : Encodings[K] extends 'json text'
          ? null extends Model[K]
            ? string | null
            : string
          : null extends Model[K]
            ? JsonOrNull<NonNullable<Model[K]>>
            : Json<Model[K]>
      : Model[K];
};

export type UsersTable = Stored<User, { is_admin: 'bool'; is_active: 'bool' }>;

export type GroupsTable = Stored<Group>;

export type GroupMembersTable = Stored<GroupMember>;

export type TokensTable = Stored<Token>;

export type ApplicationsTable = Stored<Application, { redirect_uris: 'json'; scopes: 'json'; can_have_many_groups: 'bool'; staff: 'bool' }>;

export interface ApplicationGroupsTable {
  application_id: number;
  group_id: number;
}

export type OAuthTokensTable = Stored<OAuthToken>;

export type UserAccountsTable = Stored<UserAccount>;

export type ContactsTable = Stored<Contact>;

export type SpecificationsTable = Stored<Specification>;

export type RecordsTable = Stored<ResourceRecord, { fields: 'json'; series: 'bool' }>;

export type RecordPartsTable = Stored<RecordPart, { body: 'json' }>;

export type RecordSnapshotsTable = Stored<RecordSnapshot, { body: 'json' }>;

export type RecordCatalogsTable = Stored<RecordCatalog, { scan: 'bool' }>;

export type SharesTable = Stored<Share, { rights: 'json' }>;

export type FormatsTable = Stored<Format, { aliases: 'json'; versions: 'json' }>;

export interface ShareApplicationsTable {
  share_id: number;
  application_id: number;
}

export interface ShareCatalogsTable {
  share_id: number;
  catalog_id: number;
}

export interface ShareGroupsTable {
  share_id: number;
  group_id: number;
}

export interface RecordCatalogMembersTable {
  catalog_id: number;
  record_id: number;
  added_at: string;
}

export type InvitationsTable = Stored<Invitation>;

/** A workgroup's own name for an EPSG coordinate system. */
export interface CoordinateSystemAliasesTable {
  group_id: number;
  code: number;
  alias: string;
  updated_at: string;
}

/**
 * `extent`, the extent as requested (a GeoJSON geometry or a crop feature URL), is JSON text on
 * every engine: it may hold a bare JSON string, which jsonb would hand back unquoted.
 */
export type ExportsTable = Stored<Export, { formats: 'json'; items: 'json'; extent: 'json text'; crop_geometry: 'json'; options: 'json' }>;

export type CropLayersTable = Stored<CropLayer, { extent: 'json' }>;

export type CropFeaturesTable = Stored<CropFeature, { geometry: 'json'; extent: 'json' }>;

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

export type LicensesTable = Stored<License, { is_custom: 'bool' }>;

export type SourcesTable = Stored<Source, { options: 'json' }>;

export type ScansTable = Stored<Scan>;

export type DatasourcesTable = Stored<Datasource, { fields: 'json'; extent: 'json' }>;

export type LayersTable = Stored<Layer>;

export type VersionsTable = Stored<
  Version,
  { tags: 'json'; categories: 'json'; datasources: 'json'; fields: 'json'; primary_key_fields: 'json'; extent: 'json'; change_counts: 'json' }
>;

export type PublishRequestsTable = Stored<PublishRequest>;

export interface PublishItemsTable {
  publish_id: number;
  version_id: number;
  state: string;
}

export type MetadataDocumentsTable = Stored<MetadataDocument>;

export type PermissionsTable = Stored<Permission>;

/** The catalog's rows: what the domain writes (`CatalogRow`), and the columns the store keeps itself. */
export type CatalogItemsTable = Stored<Omit<CatalogRow, 'text_values'>> & {
  id: Generated<number>;
  popularity: Generated<number>;
  /** A sample of the version's text values, one a line, for the full-text index only (never read back by searches). */
  text_values: ColumnType<string, string | undefined, string>;
  /** What group.everyone holds on the item: 0 for nothing, 1 view … 4 admin. Kept by triggers on `permissions` (migration 0011). */
  public_level: ColumnType<number, never, never>;
};

/** A sample of an imported version's distinct text values (`geo/text-values.ts`), read once from its file. */
export interface VersionTextValuesTable {
  version_id: number;
  /** JSON string[] */
  text_values: string;
}

export type SetsTable = Stored<ItemSet>;

export type SetVersionsTable = Stored<SetVersion, { tags: 'json'; categories: 'json'; settings: 'json' }>;

export type SetItemsTable = Stored<SetItem>;

export type SetMetadataDocumentsTable = Stored<SetMetadataDocument>;

export interface PublishSetItemsTable {
  publish_id: number;
  set_version_id: number;
  state: string;
}

export type DocumentsTable = Stored<DocumentItem, { tags: 'json'; categories: 'json' }>;

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  tokens: TokensTable;
  applications: ApplicationsTable;
  application_groups: ApplicationGroupsTable;
  oauth_tokens: OAuthTokensTable;
  user_accounts: UserAccountsTable;
  contacts: ContactsTable;
  specifications: SpecificationsTable;
  records: RecordsTable;
  record_parts: RecordPartsTable;
  record_snapshots: RecordSnapshotsTable;
  record_catalogs: RecordCatalogsTable;
  record_catalog_members: RecordCatalogMembersTable;
  shares: SharesTable;
  share_applications: ShareApplicationsTable;
  share_catalogs: ShareCatalogsTable;
  share_groups: ShareGroupsTable;
  formats: FormatsTable;
  invitations: InvitationsTable;
  coordinate_system_aliases: CoordinateSystemAliasesTable;
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
export type ApplicationRow = Selectable<ApplicationsTable>;
export type RecordRow = Selectable<RecordsTable>;
export type RecordPartRow = Selectable<RecordPartsTable>;
export type RecordCatalogRow = Selectable<RecordCatalogsTable>;
export type ShareRow = Selectable<SharesTable>;
export type FormatRow = Selectable<FormatsTable>;
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
