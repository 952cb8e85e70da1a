/**
 * The store as the domain sees it: one interface per repository, holding the methods the use
 * cases call, in decoded domain types (`domain/model/`). Each store (SQLite today, PostgreSQL
 * next) implements it; the repositories own the column encodings.
 */
import type { ListQuery, ListResult } from '../list-query.js';
import type { ItemKind, ItemVisibility, PermissionLevel } from '../policies/items.js';
import type { DocumentItem, DocumentItemPatch, NewDocumentItem } from '../model/documents.js';
import type { CropFeature, CropLayerWithCount, Export, ExportPatch, NewCropFeature, NewCropLayer, NewExport } from '../model/exports.js';
import type { Group, GroupMember, Member } from '../model/groups.js';
import type { JobStore } from './job-queue.js';
import type { Layer, LayerListMode, LayerPatch, LayerType, LayerView, NewLayer, NewVersion, Version, VersionPatch } from '../model/layers.js';
import type { License, LicensePatch, NewLicense } from '../model/licenses.js';
import type { MetadataDocument, SetMetadataDocument } from '../model/metadata.js';
import type { Permission } from '../model/permissions.js';
import type { NewPublishRequest, PublishItem, PublishItemRef, PublishRequest, PublishRequestPatch } from '../model/publish.js';
import type { ItemSet, NewItemSet, NewSetVersion, SetItem, SetItemType, SetListMode, SetVersion, SetVersionPatch, SetView } from '../model/sets.js';
import type { Datasource, DatasourcePatch, NewDatasource, NewScan, NewSource, Scan, ScanPatch, Source, SourcePatch } from '../model/sources.js';
import type { NewToken, Token } from '../model/tokens.js';
import type { Application, ApplicationPatch, NewApplication, NewOAuthToken, OAuthToken } from '../model/applications.js';
import type { Contact, ContactPatch, NewContact } from '../model/contacts.js';
import type { NewSpecification, Specification, SpecificationPatch } from '../model/specifications.js';
import type { Invitation, NewInvitation } from '../model/invitations.js';
import type { NewRecordCatalog, RecordCatalog, RecordCatalogPatch } from '../model/record-catalogs.js';
import type { NewShare, Share, ShareMember, SharePatch } from '../model/shares.js';
import type { Format, FormatPatch, FormatType, NewFormat } from '../model/formats.js';
import type { NewRecordPart, NewRecordSnapshot, NewResourceRecord, RecordPart, RecordPartKind, RecordPartPatch, RecordSnapshot, ResourceRecord, ResourceRecordPatch } from '../model/records.js';
import type { UserAccount, UserAccountPatch, NewUser, User, UserMembership, UserPatch, UserVisibility } from '../model/users.js';
import type { CatalogKind, CatalogSearch, CatalogView } from './catalog-search.js';

export interface UsersRepository {
  findById(id: number): Promise<User | undefined>;
  findByUid(uid: string): Promise<User | undefined>;
  /** The users with this email address, in any case. */
  findByEmail(email: string): Promise<User[]>;
  findByUsername(username: string): Promise<User | undefined>;
  list(query: ListQuery, visibility: UserVisibility): Promise<ListResult<User>>;
  /** True when the two users share at least one group. */
  shareAGroup(a: number, b: number): Promise<boolean>;
  create(user: NewUser): Promise<User>;
  update(id: number, patch: UserPatch): Promise<User>;
  countActiveAdmins(): Promise<number>;
  /** The user's groups, by group name. */
  memberships(userId: number): Promise<UserMembership[]>;
  /** The user's groups and roles only, in no order: what every authenticated request reads. */
  roles(userId: number): Promise<Array<Pick<UserMembership, 'group_id' | 'role'>>>;
}

export interface GroupsRepository {
  findById(id: number): Promise<Group | undefined>;
  findByUid(uid: string): Promise<Group | undefined>;
  findByName(name: string): Promise<Group | undefined>;
  /** Every group, or with `memberId` only the groups that user belongs to. */
  list(query: ListQuery, only?: { memberId?: number }): Promise<ListResult<Group>>;
  create(group: { name: string; description: string; created_at: string }): Promise<Group>;
  update(id: number, patch: { name?: string; description?: string; updated_at: string }): Promise<Group>;
  delete(id: number): Promise<void>;
  memberCount(groupId: number): Promise<number>;
  /** The workgroup's own names for coordinate systems, by EPSG code. */
  coordinateSystemAliases(groupId: number): Promise<Map<number, string>>;
  putCoordinateSystemAlias(groupId: number, code: number, alias: string, at: string): Promise<void>;
  /** False when the workgroup had no alias for it. */
  deleteCoordinateSystemAlias(groupId: number, code: number): Promise<boolean>;
  /** The metadata records the group holds: its layers', tables', sets' and documents', and those on their own. */
  itemCount(groupId: number): Promise<number>;
  listMembers(groupId: number, query: ListQuery): Promise<ListResult<Member>>;
  membership(groupId: number, userId: number): Promise<Member | undefined>;
  /** Adds the user to the group, or changes their role if they are in it already. */
  putMember(member: GroupMember): Promise<void>;
  /** False if the user was not in the group. */
  removeMember(groupId: number, userId: number): Promise<boolean>;
}

export interface TokensRepository {
  findByHash(keyHash: string): Promise<Token | undefined>;
  findById(id: number): Promise<Token | undefined>;
  /** All tokens, or one user's. */
  list(query: ListQuery, ownerId: number | null): Promise<ListResult<Token>>;
  create(token: NewToken): Promise<Token>;
  delete(id: number): Promise<void>;
  deleteForUser(userId: number): Promise<void>;
  touch(id: number, at: string): Promise<void>;
  count(): Promise<number>;
}

/** OAuth2 clients, their workgroups and tokens, and the users' Metadata API accounts. */
export interface ApplicationsRepository {
  findById(id: number): Promise<Application | undefined>;
  findByUid(uid: string): Promise<Application | undefined>;
  findByClientId(clientId: string): Promise<Application | undefined>;
  /** Every application, or one workgroup's, by name. */
  list(only?: { groupId?: number }): Promise<Application[]>;
  create(application: NewApplication): Promise<Application>;
  update(id: number, patch: ApplicationPatch): Promise<Application>;
  delete(id: number): Promise<void>;
  groupIds(applicationId: number): Promise<number[]>;
  /** False when the application was in the group already. */
  addGroup(applicationId: number, groupId: number): Promise<boolean>;
  /** False when it was not. */
  removeGroup(applicationId: number, groupId: number): Promise<boolean>;
  createToken(token: NewOAuthToken): Promise<OAuthToken>;
  findToken(hash: string, kind: OAuthToken['kind']): Promise<OAuthToken | undefined>;
  /** False when the token was gone already. */
  deleteToken(id: number): Promise<boolean>;
  deleteExpiredTokens(now: string): Promise<number>;
  deleteTokensForUser(userId: number): Promise<void>;
  /** A user's Metadata API account (password hash, language, time zone); undefined until first written. */
  account(userId: number): Promise<UserAccount | undefined>;
  /** Creates the account with the defaults and `patch`, or changes it. */
  putAccount(userId: number, patch: UserAccountPatch): Promise<UserAccount>;
}

/** Workgroups' contacts (Metadata API). */
export interface ContactsRepository {
  findByUid(uid: string): Promise<Contact | undefined>;
  /** A workgroup's contacts, by name. */
  listForGroup(groupId: number): Promise<Contact[]>;
  create(contact: NewContact): Promise<Contact>;
  update(id: number, patch: ContactPatch): Promise<Contact>;
  delete(id: number): Promise<void>;
}

/** Workgroups' specifications (Metadata API). */
export interface SpecificationsRepository {
  findByUid(uid: string): Promise<Specification | undefined>;
  /** A workgroup's specifications, by name. */
  listForGroup(groupId: number): Promise<Specification[]>;
  create(specification: NewSpecification): Promise<Specification>;
  update(id: number, patch: SpecificationPatch): Promise<Specification>;
  delete(id: number): Promise<void>;
}

/** Invitations to join workgroups (Metadata API). */
export interface InvitationsRepository {
  findByUid(uid: string): Promise<Invitation | undefined>;
  listForGroup(groupId: number): Promise<Invitation[]>;
  findForEmail(groupId: number, email: string): Promise<Invitation | undefined>;
  create(invitation: NewInvitation): Promise<Invitation>;
  update(id: number, patch: Partial<Pick<Invitation, 'role' | 'expires_at'>> & { updated_at: string }): Promise<Invitation>;
  /** False when it was gone already. */
  delete(id: number): Promise<boolean>;
}

export interface ExportsRepository {
  /** All exports, or one owner's. */
  list(query: ListQuery, ownerId: number | null): Promise<ListResult<Export>>;
  insert(row: NewExport): Promise<number>;
  findById(id: number): Promise<Export | undefined>;
  update(id: number, changes: ExportPatch): Promise<void>;
  /** Moves an export from `processing` to another state; false if it had left it already. */
  settle(id: number, changes: ExportPatch): Promise<boolean>;
  /** Completed exports whose expiry time has passed. */
  listExpired(now: string): Promise<Export[]>;
}

export interface CropLayersRepository {
  /** The crop layers whose source layer the visibility lets the caller view (site admins: all, orphans included). */
  list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<CropLayerWithCount>>;
  findById(id: number): Promise<CropLayerWithCount | undefined>;
  insert(layer: NewCropLayer, features: NewCropFeature[]): Promise<number>;
  delete(id: number): Promise<void>;
  listFeatures(cropLayerId: number, query: ListQuery): Promise<ListResult<CropFeature>>;
  findFeature(cropLayerId: number, id: number): Promise<CropFeature | undefined>;
}

export interface LicensesRepository {
  findById(id: number): Promise<License | undefined>;
  /** `jurisdiction` is `''` for international (unported) licenses. */
  findBySlug(slug: string, jurisdiction: string): Promise<License | undefined>;
  findByUid(uid: string): Promise<License | undefined>;
  /** The site's licences (not workgroups' own). */
  list(query: ListQuery): Promise<ListResult<License>>;
  /** The licences a workgroup can use: the site's and its own, by title. */
  listForGroup(groupId: number): Promise<License[]>;
  create(license: NewLicense): Promise<License>;
  update(id: number, patch: LicensePatch): Promise<License>;
  delete(id: number): Promise<void>;
}

/** What the use cases do with the job queue inside their transactions: add jobs. */
/** A catalog row as the domain writes it: the entry's fields, with its words for the text index. */
export interface CatalogRow {
  kind: CatalogKind;
  item_id: number;
  view: CatalogView;
  version_id: number | null;
  version_status: string | null;
  group_id: number;
  title: string;
  description: string;
  /** JSON text of the tags, whose words the text index reads. */
  tags: string;
  categories: string;
  /** Field names, space-separated. */
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
  /** A sample of the version's text values, one a line. */
  text_values?: string;
}

/** The catalog's rows, kept in step with the items by the domain (`domain/catalog.ts`). */
export interface CatalogRepository {
  upsert(row: CatalogRow): Promise<void>;
  remove(kind: CatalogKind, itemId: number, view?: CatalogView): Promise<void>;
  textValues(versionId: number): Promise<string[] | undefined>;
  textValuesOfFile(dataFile: string): Promise<string[] | undefined>;
  putTextValues(versionId: number, values: string[]): Promise<void>;
  bumpPopularity(kind: CatalogKind, itemId: number): Promise<void>;
}

export interface LayersRepository {
  /** Layers through their published version, their draft or their latest; `layer` lists layers and tables, `table` tables only. */
  list(type: LayerType, mode: LayerListMode, query: ListQuery, visibility: ItemVisibility): Promise<ListResult<LayerView>>;
  findLayer(id: number): Promise<Layer | undefined>;
  findLayerVersion(versionId: number): Promise<LayerView | undefined>;
  findVersion(versionId: number): Promise<Version | undefined>;
  latestVersion(layerId: number): Promise<Version | undefined>;
  /** The newest version with imported data older than `number`, to compare a new import with. */
  previousImported(layerId: number, number: number): Promise<Version | undefined>;
  listVersions(layerId: number, query: ListQuery): Promise<ListResult<LayerView>>;
  createLayer(layer: NewLayer): Promise<Layer>;
  updateLayer(id: number, patch: LayerPatch): Promise<void>;
  deleteLayer(id: number): Promise<void>;
  createVersion(version: NewVersion): Promise<Version>;
  updateVersion(id: number, patch: VersionPatch): Promise<void>;
  deleteVersion(id: number): Promise<void>;
  /** The data files of a layer's versions. */
  versionFiles(layerId: number): Promise<string[]>;
  metadataDocument(versionId: number): Promise<MetadataDocument | undefined>;
  putMetadataDocument(document: MetadataDocument): Promise<void>;
}

export interface PublishRepository {
  create(request: NewPublishRequest, items: readonly PublishItemRef[]): Promise<PublishRequest>;
  findById(id: number): Promise<PublishRequest | undefined>;
  /** All requests, or those one user created. */
  list(query: ListQuery, createdBy: number | null): Promise<ListResult<PublishRequest>>;
  items(publishId: number): Promise<PublishItem[]>;
  /** Open requests (pending or publishing) that include a version. */
  openRequestsFor(item: PublishItemRef): Promise<PublishRequest[]>;
  update(id: number, patch: PublishRequestPatch): Promise<void>;
  setItemState(publishId: number, item: PublishItemRef, state: string): Promise<void>;
  /** Marks a version published and points its layer at it. */
  publishVersion(versionId: number, layerId: number, at: string): Promise<void>;
}

export interface PermissionsRepository {
  list(kind: ItemKind, itemId: number): Promise<Permission[]>;
  find(kind: ItemKind, itemId: number, principal: string): Promise<Permission | undefined>;
  /** The levels granted on an item to any of these principals. */
  levelsFor(kind: ItemKind, itemId: number, principals: string[]): Promise<PermissionLevel[]>;
  put(kind: ItemKind, itemId: number, principal: string, level: PermissionLevel, at: string): Promise<void>;
  clear(kind: ItemKind, itemId: number): Promise<void>;
}

export interface SourcesRepository {
  findById(id: number): Promise<Source | undefined>;
  list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<Source>>;
  create(source: NewSource): Promise<Source>;
  update(id: number, patch: SourcePatch): Promise<void>;
  delete(id: number): Promise<void>;
  createScan(scan: NewScan): Promise<Scan>;
  findScan(sourceId: number, scanId: number): Promise<Scan | undefined>;
  findScanById(scanId: number): Promise<Scan | undefined>;
  listScans(sourceId: number, query: ListQuery): Promise<ListResult<Scan>>;
  updateScan(scanId: number, patch: ScanPatch): Promise<void>;
  /** Scans not yet finished, newest first. */
  activeScans(sourceId: number): Promise<Scan[]>;
  listDatasources(sourceId: number, query: ListQuery): Promise<ListResult<Datasource>>;
  findDatasource(id: number): Promise<Datasource | undefined>;
  /** The datasources the latest scan found (removed ones left out). */
  currentDatasources(sourceId: number): Promise<Datasource[]>;
  /** Whether any scan ever found a datasource in the source, removed ones included. */
  hadDatasources(sourceId: number): Promise<boolean>;
  /** Adds a datasource, or brings back and updates the one at its path and layer name. */
  insertDatasource(datasource: NewDatasource): Promise<void>;
  updateDatasource(id: number, patch: DatasourcePatch): Promise<void>;
}

export interface SetsRepository {
  /** Published sets through their published version, or drafts through the draft. */
  list(mode: SetListMode, query: ListQuery, visibility: ItemVisibility): Promise<ListResult<SetView>>;
  listVersions(setId: number, query: ListQuery): Promise<ListResult<SetView>>;
  findSet(id: number): Promise<ItemSet | undefined>;
  findSetVersion(versionId: number): Promise<SetView | undefined>;
  latestVersion(setId: number): Promise<SetVersion | undefined>;
  countVersions(setId: number): Promise<number>;
  createSet(set: NewItemSet): Promise<ItemSet>;
  deleteSet(id: number): Promise<void>;
  createVersion(version: NewSetVersion): Promise<SetVersion>;
  updateVersion(id: number, patch: SetVersionPatch): Promise<void>;
  deleteVersion(id: number): Promise<void>;
  /** A version's items, in order. */
  items(versionId: number): Promise<SetItem[]>;
  replaceItems(versionId: number, items: ReadonlyArray<{ item_type: SetItemType; item_id: number }>): Promise<void>;
  /** Ids of the sets with a version that holds this item. */
  setsHolding(type: SetItemType, itemId: number): Promise<number[]>;
  /** Marks a version published and points its set at it. */
  publishVersion(versionId: number, setId: number, at: string): Promise<void>;
  metadataDocument(versionId: number): Promise<SetMetadataDocument | undefined>;
  putMetadataDocument(document: SetMetadataDocument): Promise<void>;
}

export interface DocumentsRepository {
  list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<DocumentItem>>;
  findById(id: number): Promise<DocumentItem | undefined>;
  create(document: NewDocumentItem): Promise<DocumentItem>;
  update(id: number, patch: DocumentItemPatch): Promise<void>;
  delete(id: number): Promise<void>;
}

/** The repositories, bound to the store or to one of its transactions. */
/** Workgroups' catalogs and the records in them. */
export interface RecordCatalogsRepository {
  findByUid(uid: string): Promise<RecordCatalog | undefined>;
  findByCode(groupId: number, code: string): Promise<RecordCatalog | undefined>;
  listForGroup(groupId: number): Promise<RecordCatalog[]>;
  listForRecord(recordId: number): Promise<RecordCatalog[]>;
  create(catalog: NewRecordCatalog): Promise<RecordCatalog>;
  update(id: number, patch: RecordCatalogPatch): Promise<RecordCatalog>;
  delete(id: number): Promise<void>;
  /** False when the record was in the catalog already. */
  addRecord(catalogId: number, recordId: number, at: string): Promise<boolean>;
  /** False when the record was not in the catalog. */
  removeRecord(catalogId: number, recordId: number): Promise<boolean>;
  /** How many records each catalog holds (those holding none are left out). */
  recordCounts(catalogIds: readonly number[]): Promise<Map<number, number>>;
}

/** The formats records name. */
export interface FormatsRepository {
  findByCode(code: string): Promise<Format | undefined>;
  /** Every format (of one type), by code. */
  list(type?: FormatType): Promise<Format[]>;
  create(format: NewFormat): Promise<Format>;
  update(id: number, patch: FormatPatch): Promise<Format>;
  delete(id: number): Promise<void>;
}

/** Shares, and what each opens catalogs to. */
export interface SharesRepository {
  findByUid(uid: string): Promise<Share | undefined>;
  /** Shares made by these workgroups, or opening catalogs to them, or to this application, or opening this catalog; by name. */
  listFor(only: { madeBy?: readonly number[]; openTo?: readonly number[]; application?: number; catalog?: number }): Promise<Share[]>;
  create(share: NewShare): Promise<Share>;
  update(id: number, patch: SharePatch): Promise<Share>;
  delete(id: number): Promise<void>;
  /** The ids of its applications, catalogs or workgroups. */
  members(shareId: number, kind: ShareMember): Promise<number[]>;
  addMember(shareId: number, kind: ShareMember, id: number): Promise<void>;
  /** False when it was not a member. */
  removeMember(shareId: number, kind: ShareMember, id: number): Promise<boolean>;
  /** The records in the catalogs a share opens, by id. */
  recordIds(shareId: number): Promise<number[]>;
  /** Whether a share opens a catalog holding the record: to this application (type application), or to one of these workgroups (type group). */
  opensRecord(recordId: number, to: { application: number } | { groups: readonly number[] }): Promise<boolean>;
}

/** The items that have a record of their own. */
export type RecordItemKind = 'layer' | 'set' | 'document';

/** Metadata records (an item's, or standing alone) and their parts. */
export interface RecordsRepository {
  findByUid(uid: string): Promise<ResourceRecord | undefined>;
  findById(id: number): Promise<ResourceRecord | undefined>;
  /** The uids of a workgroup's records. */
  uidsForGroup(groupId: number): Promise<string[]>;
  findForItem(kind: RecordItemKind, id: number): Promise<ResourceRecord | undefined>;
  create(record: NewResourceRecord): Promise<ResourceRecord>;
  update(id: number, patch: ResourceRecordPatch): Promise<ResourceRecord>;
  delete(id: number): Promise<void>;
  /** The record's parts (of one kind), in the order they were added. */
  parts(recordId: number, kind?: RecordPartKind): Promise<RecordPart[]>;
  findPart(uid: string): Promise<RecordPart | undefined>;
  findPartByRef(recordId: number, kind: RecordPartKind, ref: string): Promise<RecordPart | undefined>;
  addPart(part: NewRecordPart): Promise<RecordPart>;
  updatePart(id: number, patch: RecordPartPatch): Promise<RecordPart>;
  deletePart(id: number): Promise<void>;
  /** How many of the workgroup's records name `ref` in parts of that kind (a contact, a licence, a specification). */
  countReferring(kind: RecordPartKind, ref: string, groupId: number): Promise<number>;
  deleteReferring(kind: RecordPartKind, ref: string): Promise<void>;
  /** A workgroup's records, counted by type. */
  countByType(groupId: number): Promise<Map<string, number>>;
  putSnapshot(snapshot: NewRecordSnapshot): Promise<void>;
  /** The snapshot kept with a published layer or table version, or a set version. */
  snapshotOf(version: { version_id: number } | { set_version_id: number }): Promise<RecordSnapshot | undefined>;
}

export interface Repositories {
  readonly users: UsersRepository;
  readonly groups: GroupsRepository;
  readonly tokens: TokensRepository;
  readonly applications: ApplicationsRepository;
  readonly contacts: ContactsRepository;
  readonly specifications: SpecificationsRepository;
  readonly records: RecordsRepository;
  readonly recordCatalogs: RecordCatalogsRepository;
  readonly shares: SharesRepository;
  readonly formats: FormatsRepository;
  readonly invitations: InvitationsRepository;
  readonly exports: ExportsRepository;
  readonly cropLayers: CropLayersRepository;
  readonly licenses: LicensesRepository;
  readonly jobs: JobStore;
  readonly layers: LayersRepository;
  readonly publish: PublishRepository;
  readonly permissions: PermissionsRepository;
  readonly catalog: CatalogRepository;
  readonly sources: SourcesRepository;
  readonly sets: SetsRepository;
  readonly documents: DocumentsRepository;
}

export interface StoreHealth {
  status: 'ok' | 'error';
  engine: 'sqlite' | 'postgres';
  /** The newest migration applied. */
  migration: string | null;
  /** The newest migration this build knows. */
  latestMigration: string;
  detail?: string;
}

/** The catalog store: one per deployment. */
export interface Store extends Repositories {
  /** Catalog search, over the whole store (not one transaction). */
  readonly catalogSearch: CatalogSearch;
  /** Runs `work` in one transaction: all or nothing. */
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  health(): Promise<StoreHealth>;
  /**
   * A value that changes whenever a token, a user or a group membership is written, by this
   * process or another; undefined if the store cannot tell. The domain keeps the actor it found
   * behind a token only while this stays the same.
   */
  authVersion(): Promise<string | undefined>;
  /** Whether a store call failed because the database is out of reach for now (answer 503), not because of the request. */
  isUnavailable(error: unknown): boolean;
  close(): Promise<void>;
}
