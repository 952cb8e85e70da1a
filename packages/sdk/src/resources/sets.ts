import type { Client } from '../client.js';
import { MapshelfError } from '../core/errors.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';
import { PermissionsManager } from './permissions.js';
import type { MetadataLinks, Ref, Timestamp } from './wire.js';

/** An item of a set: its URL, or the object itself when the set was fetched with `expand: ['items']`. */
export type SetItem = string | { url: string; type: string; [key: string]: unknown };

/** The fields of a set that can be set on create and update. */
export interface SetFields {
  title?: string;
  description?: string;
  /** Layer, table and document URLs. */
  items?: Array<string | { url: string }>;
  group?: number;
  settings?: Record<string, unknown>;
  tags?: string[];
  categories?: string[];
  license?: number | null;
}

/** A version of a set: its number and when it was made and published; a list summary's has only `id`, `url` and `status`. */
export interface SetVersionInfo {
  /** The version's id (not its number). */
  id: number;
  /** Where the API serves this version. */
  url: string;
  /** 1 for the first version, counting up. Not in list summaries; `refresh()` or `expand()` fetches it. */
  number?: number;
  /** Always `ok`: a set's version has nothing to import. */
  status: string;
  /** When it was published; null for a draft. Not in list summaries (the set's own `published_at` is). */
  published_at?: Timestamp | null;
  /** When the version was started. */
  created_at?: Timestamp;
  /** Who started the version. */
  created_by?: Ref;
  [key: string]: unknown;
}

/** A set (one version of it: `version` says which). */
export class LayerSet {
  /** The set's id, the same for all its versions. */
  id!: number;
  /** The set's API URL (a version's URL is `version.url`). */
  url!: string;
  /** Always `set`, as in the catalog. */
  type!: 'set';
  /** The title shown in the catalog. */
  title!: string;
  /** The title again, under the name older Koordinates clients read. */
  name!: string;
  /** When any version of the set was first published; null if none has been. */
  first_published_at!: Timestamp | null;
  /** When this version was published; null for a draft. */
  published_at!: Timestamp | null;
  /** Plain-text description. */
  description?: string;
  /** The description rendered as HTML paragraphs. */
  description_html?: string;
  /** The group that owns the set. */
  group?: Ref;
  /** The set's licence; null for none. */
  license?: Ref | null;
  /** The catalog categories it is filed under. */
  categories?: string[];
  /** Free-form keywords. */
  tags?: string[];
  /** Display settings, as the client that made the set gave them. */
  settings?: Record<string, unknown>;
  /** The layers, tables and documents in the set (only those you may see), in order. Not in list summaries; `refresh()` or `expand()` fetches it. */
  items?: SetItem[];
  /** When the set (its first version) was created. */
  created_at?: Timestamp;
  /** A web page for the set; null on Mapshelf, which has none. */
  url_html?: string | null;
  /** URL of the published version; null if none is published. */
  published_version?: string | null;
  /** URL of the newest version, draft or published. */
  latest_version?: string;
  /** URL of the version this object shows. */
  this_version?: string;
  /** The version this object shows: its id, URL, number and when it was made and published. */
  version!: SetVersionInfo;
  /** Where this version's metadata is, in each form. */
  metadata?: MetadataLinks;
  /** URL of the set's permissions. */
  permissions?: string;
  [key: string]: unknown;

  constructor(
    fields: Record<string, unknown>,
    private readonly manager: SetsManager,
  ) {
    Object.defineProperty(this, 'manager', { enumerable: false });
    Object.assign(this, fields);
  }

  /** The set as the server has it now. */
  async refresh(): Promise<LayerSet> {
    return this.manager.get(this.id);
  }

  /** The items as objects: those inlined by `expand: ['items']` without a request, the rest fetched (a list summary's version too). */
  async getItems(): Promise<Array<{ url: string; type: string; [key: string]: unknown }>> {
    const items = this.items ?? (await this.manager.getVersion(this.id, this.version.id)).items ?? [];
    return Promise.all(items.map((item) => (typeof item === 'string' ? this.manager.fetchItem(item) : Promise.resolve(item))));
  }

  /** Publishes this version of the set; returns the publish request. */
  async publish(): Promise<Record<string, unknown>> {
    return this.manager.publishVersion(this.id, this.version.id);
  }
}

const asBody = (fields: SetFields) => ({ ...fields, ...(fields.items && { items: fields.items.map((i) => (typeof i === 'string' ? i : i.url)) }) });
const expandHeader = (expand?: string[]) => (expand && expand.length > 0 ? { expand: expand.join(',') } : undefined);

/** `client.sets`: sets have drafts, versions and publishing like layers. */
export class SetsManager {
  constructor(private readonly client: Client) {}

  private wrap = (raw: Record<string, unknown>) => new LayerSet(raw, this);

  /** Every set you may see, as a lazy query. */
  list(): Query<LayerSet> {
    return new Query(this.client, 'sets/', this.wrap);
  }

  /** Sets with a draft you may edit. */
  listDrafts(): Query<LayerSet> {
    return new Query(this.client, 'sets/drafts/', this.wrap);
  }

  /** A set; `expand: ['items']` inlines its items, so `getItems()` needs no more requests. */
  async get(id: number, options: { expand?: string[] } = {}): Promise<LayerSet> {
    const headers = expandHeader(options.expand);
    return this.wrap(await this.client.json('GET', path`sets/${id}/`, headers ? { headers } : {}));
  }

  /** Creates a set; its first version is a draft until published. */
  async create(fields: SetFields): Promise<LayerSet> {
    return this.wrap(await this.client.json('POST', 'sets/', { body: asBody(fields) }));
  }

  /** Saves changes into the set's draft (starting one if the latest version is published). */
  async update(id: number, fields: SetFields): Promise<LayerSet> {
    return this.wrap(await this.client.json('PUT', path`sets/${id}/`, { body: asBody(fields) }));
  }

  /** Deletes a set. */
  async delete(id: number): Promise<void> {
    await this.client.request('DELETE', path`sets/${id}/`);
  }

  /** A set's versions (drafts only for its editors). */
  listVersions(id: number): Query<LayerSet> {
    return new Query(this.client, path`sets/${id}/versions/`, this.wrap);
  }

  /** One version of a set: by id, or its `draft` or `published` one. */
  async getVersion(id: number, versionId: number | 'draft' | 'published'): Promise<LayerSet> {
    return this.wrap(await this.client.json('GET', path`sets/${id}/versions/${versionId}/`));
  }

  /** Starts a new draft from the latest version (409 if a draft exists). */
  async createDraft(id: number): Promise<LayerSet> {
    return this.wrap(await this.client.json('POST', path`sets/${id}/versions/`));
  }

  /** Publishes one version of a set; returns the publish request. */
  publishVersion(id: number, versionId: number): Promise<Record<string, unknown>> {
    return this.client.json('POST', path`sets/${id}/versions/${versionId}/publish/`, { body: {} });
  }

  /** The permissions of one set. */
  permissions(id: number): PermissionsManager {
    return new PermissionsManager(this.client, path`sets/${id}/`);
  }

  /** @internal An item by its URL, for `getItems`. */
  async fetchItem(url: string): Promise<{ url: string; type: string; [key: string]: unknown }> {
    if (!url.startsWith(this.client.baseUrl)) throw new MapshelfError(`${url} is not on this site (${this.client.baseUrl}).`);
    return this.client.json('GET', url);
  }
}
