import type { Client } from '../client.js';
import { MapshelfError } from '../core/errors.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';
import { PermissionsManager } from './permissions.js';
import { sleep } from '../core/sleep.js';

/** What the server says of an uploaded metadata document. */
export interface MetadataUpload {
  /** The version's native metadata URL, where the document now is. */
  url: string;
  /** `iso`, `fgdc` or `dc`. */
  format: string;
  /**
   * Problems the ISO 19139 schemas find in an ISO document, at most 20 (stored all the same;
   * `line` is null when the check could not run). Mapshelf only; empty for other formats.
   */
  warnings?: Array<{ line: number | null; message: string }>;
}
import type { ChangeCounts, FieldInfo, MetadataLinks, PolygonGeometry, Ref, Timestamp } from './wire.js';

/** What a layer's data is made of, as `data` on the wire. */
export class LayerData {
  /** The datasources the data comes from: ids or URLs when creating, `{id}` objects as the server sends them. */
  datasources: Array<number | string | { id: number }> = [];
  /** `EPSG:xxxx`: assigned to data without a CRS, reprojected to otherwise. */
  crs?: string | null;
  /** The columns that identify a feature across versions. */
  primary_key_fields?: string[];
  /** How many features (rows) this version holds; null until imported. */
  feature_count?: number | null;
  /** `Point`, `MultiPolygon`, ...; null for tables and until imported. */
  geometry_type?: string | null;
  /** The column holding the geometry; null for tables and until imported. */
  geometry_field?: string | null;
  /** The attribute columns and their types. */
  fields?: FieldInfo[];
  /** Where the data lies, as a bounding box; null for tables and until imported. */
  extent?: PolygonGeometry | null;
  [key: string]: unknown;

  constructor(fields: Partial<LayerData> = {}) {
    Object.assign(this, fields);
  }
}

/** A version of a layer or table: its number and import state; a list summary's has only `id`, `url` and `status`. */
export interface VersionInfo {
  /** The version's id (not its number). */
  id: number;
  /** Where the API serves this version. */
  url: string;
  /** 1 for the first version, counting up. Not in list summaries; `expand()` fetches it. */
  number?: number;
  /** How its import stands; only `ok` versions can be published. */
  status: 'queued' | 'importing' | 'ok' | 'error';
  /** How far the import has got, 0-1. Not in list summaries; `expand()` fetches it. */
  progress?: number;
  /** Why the import failed, if it did. Not in list summaries; `expand()` fetches it. */
  error?: string | null;
  /** When it was published; null for a draft. Not in list summaries (the layer's own `published_at` is). */
  published_at?: Timestamp | null;
  /** When the version was started. */
  created_at?: Timestamp;
  /** Who started the version. */
  created_by?: Ref;
  /** Always null on Mapshelf (a Koordinates field). */
  reference?: null;
  /** Features added, changed and removed since the previous version; null until imported. */
  change_counts?: ChangeCounts | null;
  /** URL of the import's log, as text. */
  import_log?: string;
  [key: string]: unknown;
}

/** A metadata document's form: as uploaded (`native`), ISO 19139 or Dublin Core. */
export type MetadataForm = 'native' | 'iso' | 'dc';

/** How to wait for work on the server: progress callback, poll interval, abort signal. */
export interface WaitOptions {
  /** Called with 0-1 as the server reports progress. */
  onProgress?: (fraction: number) => void;
  /** @default 500 */
  intervalMs?: number;
  signal?: AbortSignal;
}

/** A layer or table (one version of it: `version` says which). */
export class Layer {
  /** The layer's id, the same for all its versions. */
  id!: number;
  /** The layer's API URL (a version's URL is `version.url`). */
  url!: string;
  /** Whether this is a layer (with geometry) or a table (without). */
  type!: 'layer' | 'table';
  /** The title shown in the catalog. */
  title!: string;
  /** The title again, under the name older Koordinates clients read. */
  name!: string;
  /** The kind of data: `vector` for layers, `table` for tables. */
  kind!: 'vector' | 'table';
  /** When any version of the layer was first published; null if none has been. */
  first_published_at!: Timestamp | null;
  /** Plain-text description. */
  description?: string;
  /** The description rendered as HTML paragraphs. */
  description_html?: string;
  /** The owning group: its id when creating, a reference as the server sends it. */
  group?: number | Ref;
  /** The licence: its id when creating, a reference as the server sends it; null for none. */
  license?: number | Ref | null;
  /** Free-form keywords. */
  tags?: string[];
  /** The catalog categories it is filed under. */
  categories?: string[];
  /** The data: datasources, CRS, fields, extent and feature count. */
  data!: LayerData;
  /** The version this object shows, and its import state. */
  version!: VersionInfo;
  /** When this version was published; null for a draft. */
  published_at?: Timestamp | null;
  /** Always null on Mapshelf (Koordinates: when the data was collected). */
  collected_at?: null;
  /** When the layer (its first version) was created. */
  created_at?: Timestamp;
  /** A web page for the layer; null on Mapshelf, which has none. */
  url_html?: string | null;
  /** URL of the published version; null if none is published. */
  published_version?: string | null;
  /** URL of the newest version, draft or published. */
  latest_version?: string;
  /** URL of the version this object shows. */
  this_version?: string;
  /** Where this version's metadata is, in each form. */
  metadata?: MetadataLinks;
  /** URL of the layer's permissions. */
  permissions?: string;
  [key: string]: unknown;

  /** Fields for a new layer, or a layer the server sent (then bound to its manager). */
  constructor(fields: Record<string, unknown> = {}, private readonly manager?: LayersManager) {
    Object.defineProperty(this, 'manager', { enumerable: false });
    Object.assign(this, fields);
    if (fields.data !== undefined || !manager) this.data = new LayerData((fields.data as Partial<LayerData> | undefined) ?? {});
    else {
      // A list summary from the server has no `data`. An empty one is there to read, but it is not
      // spread or printed as if the server had said the layer has no datasources.
      let empty: LayerData | undefined;
      Object.defineProperty(this, 'data', {
        configurable: true,
        enumerable: false,
        get: () => (empty ??= new LayerData()),
        set: (value: LayerData) => Object.defineProperty(this, 'data', { value, writable: true, enumerable: true, configurable: true }),
      });
    }
  }

  /** The manager of a layer that is on the server; methods are async, so a local layer's call rejects. */
  private bound(): LayersManager {
    if (!this.manager || this.id === undefined) throw new MapshelfError('This layer is not on the server yet: create it with client.layers.create(layer).');
    return this.manager;
  }

  /** The layer as the server has it now. */
  async refresh(): Promise<Layer> {
    return this.bound().get(this.id);
  }

  /** One version of this layer: by id, or its `draft` or `published` one. */
  async getVersion(versionId: number | 'draft' | 'published'): Promise<Layer> {
    return this.bound().getVersion(this.id, versionId);
  }

  /** This layer's versions (drafts only for its editors). */
  listVersions(): Query<Layer> {
    return this.bound().listVersions(this.id);
  }

  /** Imports the layer's datasources again into a new draft version (Koordinates' start_update). */
  async startUpdate(): Promise<Layer> {
    return this.bound().startUpdate(this.id);
  }

  /** Publishes this version. */
  async publish(): Promise<Record<string, unknown>> {
    return this.bound().publishVersion(this.id, this.version.id);
  }

  /** Deletes this layer with all its versions. */
  async delete(): Promise<void> {
    return this.bound().delete(this.id);
  }

  /** This version's metadata as XML: the uploaded document (`native`), ISO 19139 (`iso`) or Dublin Core (`dc`). */
  async getMetadata(form: MetadataForm = 'native'): Promise<string> {
    return this.bound().getMetadata(this.id, this.version.id, form);
  }

  /** Attaches an ISO 19115/19139, FGDC or Dublin Core document to this (draft) version. */
  async setMetadata(xml: string): Promise<MetadataUpload> {
    return this.bound().setMetadata(this.id, this.version.id, xml);
  }

  /** Waits until this version's import has ended; throws if it failed. */
  async waitForImport(options: WaitOptions = {}): Promise<Layer> {
    return this.bound().waitForImport(this.id, this.version.id, options);
  }
}

/** `client.layers` and `client.tables`: the same routes under `/layers/` and `/tables/`. */
export class LayersManager {
  constructor(
    private readonly client: Client,
    private readonly collection: 'layers' | 'tables',
  ) {}

  private wrap = (raw: Record<string, unknown>) => new Layer(raw, this);

  /** Published layers you may see. */
  list(): Query<Layer> {
    return new Query(this.client, `${this.collection}/`, this.wrap);
  }

  /** Drafts you may edit. */
  listDrafts(): Query<Layer> {
    return new Query(this.client, `${this.collection}/drafts/`, this.wrap);
  }

  /** One layer, by id. */
  async get(id: number): Promise<Layer> {
    return this.wrap(await this.client.json('GET', path`${this.collection}/${id}/`));
  }

  /** A version's metadata document as XML. */
  async getMetadata(layerId: number, versionId: number, form: MetadataForm = 'native'): Promise<string> {
    const suffix = form === 'native' ? '' : `${form}/`;
    const response = await this.client.request('GET', `${path`${this.collection}/${layerId}/versions/${versionId}/metadata/`}${suffix}`, { headers: { accept: 'application/xml' } });
    return response.text();
  }

  /** Attaches an ISO 19115/19139, FGDC or Dublin Core document to a draft version. */
  setMetadata(layerId: number, versionId: number, xml: string): Promise<MetadataUpload> {
    return this.client.json('POST', path`${this.collection}/${layerId}/versions/${versionId}/metadata/`, {
      body: new Blob([xml], { type: 'application/xml' }),
      headers: { 'content-type': 'application/xml' },
    });
  }

  /** The permissions of one layer. */
  permissions(layerId: number): PermissionsManager {
    return new PermissionsManager(this.client, path`${this.collection}/${layerId}/`);
  }

  /** Creates a layer from `data.datasources` and starts its import; the result is its first (draft) version. */
  async create(layer: Layer | Record<string, unknown>): Promise<Layer> {
    const body = Object.fromEntries(Object.entries({ ...layer }).filter(([, v]) => v !== undefined));
    return this.wrap(await this.client.json('POST', `${this.collection}/`, { body }));
  }

  /** One version of a layer: by id, or its `draft` or `published` one. */
  async getVersion(layerId: number, versionId: number | 'draft' | 'published'): Promise<Layer> {
    return this.wrap(await this.client.json('GET', path`${this.collection}/${layerId}/versions/${versionId}/`));
  }

  /** A layer's versions (drafts only for its editors). */
  listVersions(layerId: number): Query<Layer> {
    return new Query(this.client, path`${this.collection}/${layerId}/versions/`, this.wrap);
  }

  /** Imports a layer's datasources again into a new draft (Koordinates' start_update). */
  async startUpdate(layerId: number): Promise<Layer> {
    return this.wrap(await this.client.json('POST', path`${this.collection}/${layerId}/versions/import/`));
  }

  /** Publishes one version; returns the publish request. */
  async publishVersion(layerId: number, versionId: number): Promise<Record<string, unknown>> {
    return this.client.json('POST', path`${this.collection}/${layerId}/versions/${versionId}/publish/`, { body: {} });
  }

  /** Deletes a layer. */
  async delete(layerId: number): Promise<void> {
    await this.client.request('DELETE', path`${this.collection}/${layerId}/`);
  }

  /** Polls a version until its import has ended; throws if it failed. */
  async waitForImport(layerId: number, versionId: number, options: WaitOptions = {}): Promise<Layer> {
    for (;;) {
      const version = await this.getVersion(layerId, versionId);
      options.onProgress?.(version.version.progress ?? 0);
      if (version.version.status === 'ok') return version;
      if (version.version.status === 'error') throw new MapshelfError(`The import of version ${versionId} failed: ${version.version.error ?? 'no reason given'}`);
      await sleep(options.intervalMs ?? 500, options.signal);
    }
  }
}
