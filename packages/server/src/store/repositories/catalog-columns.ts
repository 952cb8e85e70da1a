import type { PermissionLevel } from '../../domain/policies/items.js';
import { permissionLevels } from '../../domain/policies/items.js';
import type { CatalogItemRow } from '../schema.js';

/** The columns a search reads into memory (not the long texts). */
export const entryColumns = [
  'id',
  'kind',
  'item_id',
  'view',
  'group_id',
  'version_status',
  'license_id',
  'license_type',
  'minx',
  'miny',
  'maxx',
  'maxy',
  'created_at',
  'updated_at',
  'popularity',
  'title',
  'tags',
  'categories',
] as const;
export type EntryRow = Pick<CatalogItemRow, (typeof entryColumns)[number]>;

export const kindCodes = { layer: 1, table: 2, set: 3, document: 4 } as const;
export const viewCodes = { published: 1, latest: 2 } as const;
/** The kind permissions are stored under: tables share the layers'. */
const permissionKindCodes: Record<string, number> = { layer: 1, table: 1, set: 2, document: 3, source: 4 };

/** A permission's item as one number, so grants sit in number-keyed Maps. */
export function permissionKey(kind: string, itemId: number): number {
  return permissionKindCodes[kind]! * 2 ** 32 + itemId;
}

/** 0 for none, else 1 + the level's rank (view 1 … admin 4). */
export const levelCode = (level: PermissionLevel | null | undefined): number => (level ? permissionLevels.indexOf(level) + 1 : 0);

/**
 * The catalog rows' search keys, one typed array per column, indexed by row id. A scan reads
 * memory in order, a few nanoseconds a row; objects per row would cost a cache miss each.
 */
export class CatalogColumns {
  capacity = 0;
  present = new Uint8Array(0);
  kind = new Uint8Array(0);
  view = new Uint8Array(0);
  itemId = new Int32Array(0);
  groupId = new Int32Array(0);
  permissionKey = new Float64Array(0);
  /** `levelCode` of what `group.everyone` holds on the item. */
  publicLevel = new Uint8Array(0);
  licenseId = new Int32Array(0);
  minx = new Float64Array(0);
  miny = new Float64Array(0);
  maxx = new Float64Array(0);
  maxy = new Float64Array(0);
  /** Milliseconds since 1970. */
  createdAt = new Float64Array(0);
  updatedAt = new Float64Array(0);
  popularity = new Float64Array(0);
  // Strings, rarely filtered on, stay in plain arrays.
  versionStatus: Array<string | null> = [];
  licenseType: Array<string | null> = [];
  title: string[] = [];
  /** JSON string[], as stored. */
  tags: string[] = [];
  categories: string[] = [];
  /** One past the highest id held. */
  end = 0;

  private grow(id: number): void {
    if (id < this.capacity) return;
    const capacity = Math.max(1024, 2 ** Math.ceil(Math.log2(id + 1)));
    const resize = <T extends Uint8Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.present = resize(this.present, (n) => new Uint8Array(n));
    this.kind = resize(this.kind, (n) => new Uint8Array(n));
    this.view = resize(this.view, (n) => new Uint8Array(n));
    this.itemId = resize(this.itemId, (n) => new Int32Array(n));
    this.groupId = resize(this.groupId, (n) => new Int32Array(n));
    this.permissionKey = resize(this.permissionKey, (n) => new Float64Array(n));
    this.publicLevel = resize(this.publicLevel, (n) => new Uint8Array(n));
    this.licenseId = resize(this.licenseId, (n) => new Int32Array(n));
    this.minx = resize(this.minx, (n) => new Float64Array(n));
    this.miny = resize(this.miny, (n) => new Float64Array(n));
    this.maxx = resize(this.maxx, (n) => new Float64Array(n));
    this.maxy = resize(this.maxy, (n) => new Float64Array(n));
    this.createdAt = resize(this.createdAt, (n) => new Float64Array(n));
    this.updatedAt = resize(this.updatedAt, (n) => new Float64Array(n));
    this.popularity = resize(this.popularity, (n) => new Float64Array(n));
    this.capacity = capacity;
  }

  put(row: EntryRow, publicLevel: number): void {
    const id = row.id;
    this.grow(id);
    this.present[id] = 1;
    this.kind[id] = kindCodes[row.kind];
    this.view[id] = viewCodes[row.view];
    this.itemId[id] = row.item_id;
    this.groupId[id] = row.group_id;
    this.permissionKey[id] = permissionKey(row.kind, row.item_id);
    this.publicLevel[id] = publicLevel;
    this.licenseId[id] = row.license_id ?? -1;
    // NaN compares false with everything, so a row without an extent matches no bbox.
    this.minx[id] = row.minx ?? NaN;
    this.miny[id] = row.miny ?? NaN;
    this.maxx[id] = row.maxx ?? NaN;
    this.maxy[id] = row.maxy ?? NaN;
    this.createdAt[id] = Date.parse(row.created_at);
    this.updatedAt[id] = Date.parse(row.updated_at);
    this.popularity[id] = row.popularity;
    this.versionStatus[id] = row.version_status;
    this.licenseType[id] = row.license_type;
    this.title[id] = row.title;
    this.tags[id] = row.tags;
    this.categories[id] = row.categories;
    if (id >= this.end) this.end = id + 1;
  }

  remove(id: number): void {
    if (id < this.capacity) this.present[id] = 0;
  }
}
