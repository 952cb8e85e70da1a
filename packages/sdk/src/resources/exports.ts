import type { Client } from '../client.js';
import { APIError, DownloadError, MapshelfError } from '../core/errors.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';
import { sleep } from '../core/sleep.js';
import type { WaitOptions } from './layers.js';
import type { Bbox, PolygonGeometry, Timestamp } from './wire.js';

/** An item of an export request: a layer, table or version URL. */
export interface ExportItem {
  /** URL of the layer or table (its current version), or of one of its versions. */
  item: string;
  /** `#RRGGBB` to style the item's features in formats with styles (KML). */
  color?: string;
  /** For tiled datasets only; Mapshelf has none, so it is refused. */
  tile_id?: string;
}

/** A GeoJSON polygon or multipolygon, in EPSG:4326 (longitude, latitude). */
export type GeoJsonPolygon = PolygonGeometry | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** The fields of an export request (seed 004). */
export interface ExportRequestFields {
  /** `EPSG:XXXX`; not needed for KML. */
  crs?: string;
  /** A mimetype per data kind: `{vector: 'application/x-ogc-gpkg'}`. */
  formats?: Record<string, string>;
  items?: ExportItem[];
  name?: string;
  /** A GeoJSON polygon in EPSG:4326, or a crop feature URL. */
  extent?: GeoJsonPolygon | string | CropFeature;
  options?: Record<string, unknown>;
}

/** A request for an export, as seed 002 builds it: set fields, `addItem`, then `client.exports.create`. */
export class Export implements ExportRequestFields {
  crs?: string;
  formats?: Record<string, string>;
  items: ExportItem[] = [];
  name?: string;
  extent?: GeoJsonPolygon | string | CropFeature;
  options?: Record<string, unknown>;

  constructor(fields: ExportRequestFields = {}) {
    Object.assign(this, fields);
    this.items = [...(fields.items ?? [])];
  }

  /** Adds a layer or table (or one of their versions), by object or URL. */
  addItem(item: { url: string } | string, options: { color?: string; tileId?: string } = {}): this {
    this.items.push({
      item: typeof item === 'string' ? item : item.url,
      ...(options.color !== undefined && { color: options.color }),
      ...(options.tileId !== undefined && { tile_id: options.tileId }),
    });
    return this;
  }

  /** The request body. A crop feature is sent as its URL. */
  toJSON(): Record<string, unknown> {
    const extent = this.extent && typeof this.extent === 'object' && 'url' in this.extent ? this.extent.url : this.extent;
    return Object.fromEntries(
      Object.entries({ crs: this.crs, formats: this.formats, items: this.items, name: this.name, extent, options: this.options }).filter(([, v]) => v !== undefined),
    );
  }
}

/** What `validate` says of an export request, overall and per item. */
export interface ExportValidation {
  /** Whether the export could be created as it stands. */
  is_valid: boolean;
  /** What is wrong with the request as a whole, each as `where: why`. */
  invalid_reasons: string[];
  /** Roughly how big the zip would be, in bytes; null when it can't be told. */
  size_estimate_zipped: number | null;
  /** Each item as it was given, whether it can be exported, and why not; Mapshelf adds its warnings. */
  items: Array<{ item: string; is_valid: boolean; invalid_reasons: string[]; warnings?: string[] }>;
  /**
   * What the export would leave out, each as `where: why`: data outside the CRS's area of use,
   * items left empty by the extent when `options.allow_empty` is set. Mapshelf only, not Koordinates.
   */
  warnings?: string[];
  /** The name the export (and its zip) would get; null when it is not valid. Mapshelf only, not Koordinates. */
  name?: string | null;
}

/** Options of `ExportJob.download`. */
export interface DownloadOptions {
  /** Called with the bytes received so far and the total (null when the server does not say). */
  onProgress?: (received: number, total: number | null) => void;
  /** Bytes between progress calls. @default 1048576 */
  chunkSize?: number;
  /** Continue a partial file at `target` with a Range request, instead of starting over. */
  resume?: boolean;
  signal?: AbortSignal;
}

/** A Node.js writable stream, as far as a download needs one. */
interface NodeWritable {
  /** Writes a chunk; false when the caller should wait for `drain`. */
  write(chunk: Uint8Array): boolean;
  /** Calls back once the stream can take more. */
  once(event: 'drain', listener: () => void): unknown;
}

/** An export on the server: its state, progress and, once complete, its zip. */
export class ExportJob {
  /** Identifies the export in API paths and references. */
  id!: number;
  /** The zip's name, without `.zip`. */
  name!: string;
  /** Where the API serves this export. */
  url!: string;
  /** When the export was asked for. */
  created_at!: Timestamp;
  /** How it was asked for: `api` for requests through the API. */
  created_via!: string;
  /** Where the export is: running, finished, failed, cancelled, or expired and deleted (`gone`). */
  state!: 'processing' | 'complete' | 'error' | 'cancelled' | 'gone';
  /** How far the export has got, 0-1. Not in list summaries; `refresh()` or `expand()` fetches it. */
  progress?: number;
  /** Where to download the zip; null until complete. */
  download_url!: string | null;
  /** The CRS the data is exported in, `EPSG:xxxx`; null where none is needed (KML). */
  crs?: string | null;
  /** The format asked for each data kind: `{vector: 'application/x-ogc-gpkg'}`. */
  formats?: Record<string, string>;
  /** The layers and tables exported, by the URLs they were asked for by. */
  items?: ExportItem[];
  /** What the data is cropped to, as asked for: a GeoJSON (multi)polygon or a crop feature URL; null for no crop. */
  extent?: GeoJsonPolygon | string | null;
  /** Format options, as asked for. */
  options?: Record<string, unknown>;
  /** Roughly how big the zip will be, in bytes; null when it can't be told. Not in list summaries. */
  size_estimate_zipped?: number | null;
  /** The zip's size in bytes, once complete. Not in list summaries. */
  size?: number | null;
  /** Why the export failed, if it did. Not in list summaries; `refresh()` or `expand()` fetches it. */
  error?: string | null;
  /** When it finished, either way; null while processing. */
  completed_at?: Timestamp | null;
  /** When the zip will be deleted; null unless complete. */
  expires_at?: Timestamp | null;
  /** URL of the user who asked for the export. */
  user?: string;
  [key: string]: unknown;

  constructor(
    fields: Record<string, unknown>,
    private readonly manager: ExportsManager,
  ) {
    Object.defineProperty(this, 'manager', { enumerable: false });
    Object.assign(this, fields);
  }

  /** The export as the server has it now. */
  refresh(): Promise<ExportJob> {
    return this.manager.get(this.id);
  }

  /** Cancels the export while it is processing. */
  cancel(): Promise<ExportJob> {
    return this.manager.cancel(this.id);
  }

  /** Polls until the export is complete; throws if it ends otherwise. */
  async waitUntilComplete(options: WaitOptions = {}): Promise<ExportJob> {
    let current: ExportJob = this;
    for (;;) {
      options.onProgress?.(current.progress ?? 0);
      if (current.state === 'complete') return current;
      if (current.state !== 'processing') throw new MapshelfError(`Export ${this.id} ended ${current.state}${current.error ? `: ${current.error}` : ''}.`);
      await sleep(options.intervalMs ?? 500, options.signal);
      current = await this.refresh();
      Object.assign(this, current);
    }
  }

  /**
   * Downloads the zip to a directory (named `{name}.zip`; an existing file there is an error;
   * a path ending in `/` is made if missing), a file path, or a writable stream (left open).
   * Returns the path written, if any.
   */
  download(target: string | WritableStream<Uint8Array> | NodeWritable, options: DownloadOptions = {}): Promise<string | null> {
    return this.manager.download(this, target, options);
  }
}

/** A crop layer: a named collection of polygons to crop exports to. */
export interface CropLayer {
  /** Identifies the crop layer in API paths and references. */
  id: number;
  /** The name shown for it. */
  name: string;
  /** Where the API serves this crop layer. */
  url: string;
  /** URL of its features. */
  features_url: string;
  /** How many polygons it holds. */
  feature_count: number;
  /** The bounding box of all its polygons; null if it has none. */
  extent: Bbox | null;
  /** URL of the published layer its polygons were taken from; null if that layer is gone. */
  source_layer: string | null;
  /** The source layer's column the features were named from; null if none was. */
  name_field: string | null;
  /** When the crop layer was made. */
  created_at: Timestamp;
  [key: string]: unknown;
}

/** A crop feature: one named polygon; its URL works as an export `extent`. */
export interface CropFeature {
  /** Identifies the feature in API paths and references. */
  id: number;
  /** The name shown for it. */
  name: string;
  /** The feature's API URL; give it as an export's `extent` to crop to this polygon. */
  url: string;
  /** The polygon's bounding box (always sent; optional so a feature can be named by `{id, name, url}` alone). */
  extent?: Bbox;
  /** The polygon itself, in EPSG:4326; only when fetched on its own. */
  geometry?: GeoJsonPolygon;
  [key: string]: unknown;
}

/** `client.exports.croplayers`. */
export class CropLayersManager {
  constructor(private readonly client: Client) {}

  /** Every crop layer you may see, as a lazy query. */
  list(): Query<CropLayer> {
    return new Query(this.client, 'exports/croplayers/', (raw: CropLayer) => raw);
  }

  /** One crop layer, by id. */
  get(id: number): Promise<CropLayer> {
    return this.client.json('GET', path`exports/croplayers/${id}/`);
  }

  /** A crop layer's features (summaries without geometry). */
  listFeatures(cropLayerId: number): Query<CropFeature> {
    return new Query(this.client, path`exports/croplayers/${cropLayerId}/cropfeatures/`, (raw: CropFeature) => raw);
  }

  /** One crop feature, with its geometry. */
  getFeature(cropLayerId: number, cropFeatureId: number): Promise<CropFeature> {
    return this.client.json('GET', path`exports/croplayers/${cropLayerId}/cropfeatures/${cropFeatureId}/`);
  }
}

/** `client.exports`. */
export class ExportsManager {
  /** Crop layers and their features. */
  readonly croplayers: CropLayersManager;

  constructor(private readonly client: Client) {
    this.croplayers = new CropLayersManager(client);
  }

  private wrap = (raw: Record<string, unknown>) => new ExportJob(raw, this);

  /** Your exports (a site admin's: everyone's), newest first. */
  list(): Query<ExportJob> {
    return new Query(this.client, 'exports/', this.wrap);
  }

  /** One export, by id. */
  async get(id: number): Promise<ExportJob> {
    return this.wrap(await this.client.json('GET', path`exports/${id}/`));
  }

  /** The formats offered for each data kind: `{vector: {'application/x-ogc-gpkg': 'GeoPackage', ...}, ...}`. */
  async getFormats(): Promise<Record<string, Record<string, string>>> {
    const options = await this.client.json<{ actions?: { POST?: { formats?: { children?: Record<string, { choices: Array<{ value: string; display_name: string }> }> } } } }>(
      'OPTIONS',
      'exports/',
    );
    const kinds = options?.actions?.POST?.formats?.children ?? {};
    return Object.fromEntries(Object.entries(kinds).map(([kind, { choices }]) => [kind, Object.fromEntries(choices.map((c) => [c.value, c.display_name]))]));
  }

  /** Checks a request without creating it: validity, reasons, and the estimated zip size. */
  validate(request: Export | ExportRequestFields): Promise<ExportValidation> {
    return this.client.json('POST', 'exports/validate/', { body: new Export(request).toJSON() });
  }

  /** Creates an export; it runs on the server while you wait with `waitUntilComplete`. */
  async create(request: Export | ExportRequestFields): Promise<ExportJob> {
    return this.wrap(await this.client.json('POST', 'exports/', { body: new Export(request).toJSON() }));
  }

  /** Cancels an export while it is processing. */
  async cancel(id: number): Promise<ExportJob> {
    return this.wrap(await this.client.json('DELETE', path`exports/${id}/`));
  }

  /** See `ExportJob.download`. */
  async download(job: ExportJob, target: string | WritableStream<Uint8Array> | NodeWritable, options: DownloadOptions = {}): Promise<string | null> {
    if (job.state !== 'complete' || !job.download_url) throw new DownloadError(`Export ${job.id} is ${job.state}; it can be downloaded once complete.`);
    if (typeof target !== 'string') {
      await this.stream(job.download_url, 0, options, toSink(target));
      return null;
    }
    const fs = await import('node:fs');
    const { join } = await import('node:path');
    let file = target;
    // A path ending in a slash names a folder, made if it doesn't exist yet.
    if (/[\\/]$/.test(target)) await fs.promises.mkdir(target, { recursive: true });
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
      file = join(target, `${job.name}.zip`);
      if (fs.existsSync(file) && !options.resume) throw new DownloadError(`${file} already exists; remove it, or give another path.`);
    }
    const partial = options.resume && fs.existsSync(file) ? fs.statSync(file).size : 0;
    const write = async (start: number): Promise<boolean> => {
      // Opened first, so a path that can't be written fails here rather than in a stream event.
      const handle = await fs.promises.open(file, start > 0 ? 'a' : 'w').catch((error: Error) => {
        throw new DownloadError(`Can't write ${file}: ${error.message}`, { cause: error });
      });
      const out = handle.createWriteStream();
      let failure: Error | null = null;
      out.on('error', (error) => (failure = error));
      try {
        const written = await this.stream(job.download_url!, start, options, toSink(out));
        if (failure) throw new DownloadError(`Writing ${file} failed: ${(failure as Error).message}`, { cause: failure });
        return written;
      } finally {
        await new Promise<void>((resolve) => out.end(() => resolve()));
      }
    };
    // A server that ignores the Range answers the whole file: then it is written again from the start.
    if (!(await write(partial))) await write(0);
    return file;
  }

  /**
   * Streams a download into a sink, from byte `start` if it is not 0. Returns false, having
   * written nothing, when the server would not resume there.
   */
  private async stream(url: string, start: number, options: DownloadOptions, sink: Sink): Promise<boolean> {
    let response: Response;
    try {
      response = await this.client.request('GET', url, {
        headers: { accept: 'application/zip', ...(start > 0 && { range: `bytes=${start}-` }) },
        ...(options.signal && { signal: options.signal }),
        timeout: 24 * 3600 * 1000,
      });
    } catch (error) {
      // 416 with `bytes */size` equal to what we have: the file was already complete.
      const size = error instanceof APIError && error.status === 416 ? /\*\/(\d+)/.exec(error.headers.get('content-range') ?? '')?.[1] : undefined;
      if (start > 0 && size !== undefined && Number(size) === start) {
        options.onProgress?.(start, start);
        return true;
      }
      throw error;
    }
    const resumed = response.status === 206;
    if (start > 0 && !resumed) {
      await response.body?.cancel();
      return false;
    }
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && response.headers.has('content-length') ? length + (resumed ? start : 0) : null;
    let received = resumed ? start : 0;
    let reported = received;
    const chunkSize = options.chunkSize ?? 1024 * 1024;
    options.onProgress?.(received, total);
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await sink.write(value);
      received += value.length;
      if (received - reported >= chunkSize) {
        reported = received;
        options.onProgress?.(received, total);
      }
    }
    await sink.close();
    if (reported !== received) options.onProgress?.(received, total);
    return true;
  }
}

interface Sink {
  /** Writes a chunk, waiting while the target is full. */
  write(chunk: Uint8Array): Promise<void>;
  /** Done writing; the target itself stays open. */
  close(): Promise<void>;
}

/** One way to write into a web WritableStream or a Node stream; neither is closed here. */
function toSink(target: WritableStream<Uint8Array> | NodeWritable): Sink {
  if ('getWriter' in target) {
    const writer = target.getWriter();
    return { write: (chunk) => writer.write(chunk), close: async () => writer.releaseLock() };
  }
  return {
    write: (chunk) => (target.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => target.once('drain', resolve))),
    close: async () => {},
  };
}
