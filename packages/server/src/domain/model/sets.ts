import type { VersionedItem } from './layers.js';
import type { Optional } from './optional.js';

/** A set of layers, tables and documents, versioned like a layer. */
export type ItemSet = VersionedItem;

export type NewItemSet = Omit<ItemSet, 'id' | 'uid'>;

export interface SetVersion {
  id: number;
  set_id: number;
  number: number;
  title: string;
  description: string;
  tags: string[];
  categories: string[];
  license_id: number | null;
  /** The set's display settings, as the client gave them. */
  settings: Record<string, unknown>;
  created_by: number;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

export type NewSetVersion = Optional<Omit<SetVersion, 'id'>, 'published_at'>;
export type SetVersionPatch = Partial<Omit<SetVersion, 'id'>>;

/** A set seen through one of its versions: what the Data API calls a set object. */
export interface SetView extends SetVersion {
  set_uid: string;
  group_id: number;
  owner_id: number;
  published_version_id: number | null;
  first_published_at: string | null;
  set_created_at: string;
  latest_version_id: number;
}

export type SetListMode = 'published' | 'drafts';

export type SetItemType = 'layer' | 'table' | 'document';

/** An item of a set version, by reference. */
export interface SetItem {
  set_version_id: number;
  position: number;
  item_type: SetItemType;
  item_id: number;
}
