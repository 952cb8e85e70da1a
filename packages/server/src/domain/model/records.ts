/** The Metadata API's record types (Isogeo's `type`). */
export const recordTypes = ['vectorDataset', 'rasterDataset', 'noGeoDataset', 'service', 'resource', 'dataset'] as const;
export type RecordType = (typeof recordTypes)[number];

/**
 * The root attributes a record keeps itself, in the wire's names. A record of a layer, table,
 * set or document keeps only what its item doesn't determine: the item gives the facts
 * (`envelope`, `features`, `geometry`, `format`, the coordinate system) and, while the record
 * has none of its own, the title and abstract.
 */
export interface RecordFields {
  title?: string | null;
  abstract?: string | null;
  name?: string | null;
  path?: string | null;
  language?: string | null;
  encoding?: string | null;
  collectionContext?: string | null;
  collectionMethod?: string | null;
  geoContext?: string | null;
  topologicalConsistency?: string | null;
  validityComment?: string | null;
  updateFrequency?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
  created?: string | null;
  modified?: string | null;
  published?: string | null;
  distance?: number | null;
  scale?: number | null;
  precision?: string | null;
  formatVersion?: string | null;
  /** Facts a record without data holds itself. */
  format?: string | null;
  features?: number | null;
  geometry?: string | null;
  envelope?: object | null;
  /** EPSG code. */
  coordinateSystem?: number | null;
}

/** A metadata record: of a catalog item (`layer_id`, `set_id` or `document_id`), or on its own. */
export interface ResourceRecord {
  id: number;
  /** 32 lowercase hex characters; an item's record has the item's uid. */
  uid: string;
  group_id: number;
  layer_id: number | null;
  set_id: number | null;
  document_id: number | null;
  type: RecordType;
  series: boolean;
  /** `manual`: described in Mapshelf, its data (if any) elsewhere. */
  edition_profile: 'manual' | 'csw';
  fields: RecordFields;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

/** A new record: an item's gets the item's uid, one on its own a new one. */
export type NewResourceRecord = Omit<ResourceRecord, 'id' | 'uid'> & { uid?: string };
export type ResourceRecordPatch = Partial<Pick<ResourceRecord, 'fields' | 'type' | 'series' | 'edition_profile'>> & { updated_at: string };

/** The kinds of things a record holds in lists (its subresources). */
export const recordPartKinds = ['event', 'feature-attribute', 'limitation', 'link', 'condition', 'conformity', 'contact', 'service-layer', 'operation'] as const;
export type RecordPartKind = (typeof recordPartKinds)[number];

/**
 * One thing a record holds: an event, a feature attribute, a link… `ref` names what it is unique
 * by within the record and kind (a contact's uid, a specification's, an attribute's name), and
 * `body` holds its fields in the wire's names.
 */
export interface RecordPart {
  id: number;
  uid: string;
  record_id: number;
  kind: RecordPartKind;
  ref: string | null;
  body: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/**
 * What a record held when a version of its item was published, kept with that version: a
 * published version's metadata never changes, whatever its record says later.
 */
export interface RecordSnapshot {
  id: number;
  record_id: number;
  /** A layer's or table's version, or a set's. */
  version_id: number | null;
  set_version_id: number | null;
  body: Record<string, unknown>;
  created_at: string;
}

export type NewRecordSnapshot = Omit<RecordSnapshot, 'id'>;

export type NewRecordPart = Omit<RecordPart, 'id' | 'uid'> & { uid?: string };
export type RecordPartPatch = Partial<Pick<RecordPart, 'body' | 'ref'>> & { updated_at: string };
