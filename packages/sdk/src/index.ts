/**
 * @mapshelf/sdk: the TypeScript client for Mapshelf and other Koordinates-compatible Data APIs.
 * No runtime dependencies: global `fetch`, Node ≥ 20 and browsers.
 */
export { Client, apiBasePath, type ClientOptions, type RequestOptions, type QueryValue } from './client.js';
export * from './core/errors.js';
export { Query, type FilterValue } from './core/query.js';
export { path, parseLinks, resourceTotal } from './core/path.js';
export { Layer, LayerData, LayersManager, type MetadataForm, type MetadataUpload, type VersionInfo, type WaitOptions } from './resources/layers.js';
export { LayerSet, SetsManager, type SetFields, type SetItem, type SetVersionInfo } from './resources/sets.js';
export { SourcesManager, UploadSource, type Datasource, type Scan, type Source, type UploadOptions } from './resources/sources.js';
export { Publish, PublishRequest, PublishingManager } from './resources/publishing.js';
export { PermissionsManager, type Permission, type PermissionGrant, type PermissionLevel } from './resources/permissions.js';
export { GroupsManager, TokensManager, UsersManager, type Group, type GroupMember, type Token, type User } from './resources/accounts.js';
export { DocumentsManager, type Document } from './resources/documents.js';
export { StreamingBody } from './core/streaming-body.js';
export { CatalogManager, type CatalogItem } from './resources/catalog.js';
export { LicensesManager, type License } from './resources/licenses.js';
export type { Bbox, ChangeCounts, FieldInfo, MetadataLinks, PolygonGeometry, Ref, Timestamp } from './resources/wire.js';
export {
  Export,
  ExportJob,
  ExportsManager,
  CropLayersManager,
  type CropFeature,
  type CropLayer,
  type DownloadOptions,
  type ExportItem,
  type ExportRequestFields,
  type ExportValidation,
  type GeoJsonPolygon,
} from './resources/exports.js';
