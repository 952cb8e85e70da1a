import type { Client } from '../client.js';
import { MapshelfError } from '../core/errors.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';
import { sleep } from '../core/sleep.js';
import { StreamingBody } from '../core/streaming-body.js';
import type { WaitOptions } from './layers.js';
import { PermissionsManager } from './permissions.js';
import type { ChangeCounts, FieldInfo, PolygonGeometry, Ref, Timestamp } from './wire.js';

/** A source as the server sends it. */
export interface Source {
  /** Identifies the source in API paths and references. */
  id: number;
  /** Where the API serves this source. */
  url: string;
  /** Where its files come from: `upload` on Mapshelf. */
  type: string;
  /** The name shown for the source. */
  title: string;
  /** Plain-text description. */
  description?: string;
  /** The group that owns the source. */
  group?: Ref;
  /** The user who created the source. */
  user?: Ref;
  /** Settings of the source's type; always empty for uploads. */
  options?: Record<string, unknown>;
  /** Always null on Mapshelf: sources are scanned on upload and when asked, not on a schedule. */
  scan_schedule?: null;
  /** When the source was created. */
  created_at?: Timestamp;
  /** When the source last changed. */
  updated_at?: Timestamp;
  /** URL of the datasources its scans found. Not in list summaries; `get()` or `expand()` fetches it. */
  datasources?: string;
  /** URL of its scans. Not in list summaries; `get()` or `expand()` fetches it. */
  scans?: string;
  /** URL of the source's permissions. */
  permissions?: string;
  /** When a scan last finished; null if none has. */
  last_scanned_at: Timestamp | null;
  /** The newest scan; null if there is none. */
  latest_scan?: Scan | null;
  [key: string]: unknown;
}

/** A scan of a source: its state, progress and what changed. */
export interface Scan {
  /** Identifies the scan in API paths and references. */
  id: number;
  /** Where the API serves this scan. */
  url: string;
  /** URL of the source scanned. */
  source: string;
  /** Where the scan is: waiting, running, or ended one way or another. */
  status: 'queued' | 'scanning' | 'completed' | 'error' | 'cancelled';
  /** How far the scan has got, 0-1. */
  progress: number;
  /** When the scan was asked for. */
  created_at: Timestamp;
  /** When it began running; null while queued. */
  started_at: Timestamp | null;
  /** When it ended; null while queued or running. */
  completed_at: Timestamp | null;
  /** Datasources found, changed and gone since the previous scan. */
  change_counts: ChangeCounts;
  /** URL of the scan's log, as text. */
  log_url: string;
  [key: string]: unknown;
}

/** A dataset found in a source, ready to become a layer or table. */
export interface Datasource {
  /** The datasource's id, for a layer's `data.datasources`. */
  id: number;
  /** Where the API serves this datasource. */
  url: string;
  /** URL of the source it was found in. */
  source: string;
  /** A readable title, made from its file or layer name. */
  title: string;
  /** `vector` (with geometry: for a layer) or `table` (without: for a table). */
  data_type: 'vector' | 'table' | string;
  /** The file format, e.g. `GeoPackage`, `ESRI Shapefile`, `CSV`. */
  format: string;
  /** Path of the file within the upload. */
  upload_path: string;
  /** The layer's name inside the file (one file can hold several). */
  layer: string;
  /** `Point`, `MultiPolygon`, ...; null for tables. */
  geometry_type: string | null;
  /** `EPSG:xxxx`; null if unknown, or for tables. */
  crs: string | null;
  /** The CRS as WKT when it has no EPSG code; null otherwise. */
  crs_wkt: string | null;
  /** The attribute columns and their types. */
  fields: FieldInfo[];
  /** How many features (rows) it holds. */
  num_features: number | null;
  /** Where the data lies, as a bounding box; null for tables or when unknown. */
  extent: PolygonGeometry | null;
  /** Path of a metadata document uploaded beside it; null if none. */
  metadata_path: string | null;
  [key: string]: unknown;
}

/** A file for an upload source: a path (Node) or a Blob, under the name it is uploaded as. */
interface UploadFile {
  file: string | Blob;
  name: string;
}

/** A source made of uploaded files: `new UploadSource({title}).addFile('./roads.gpkg')`. */
export class UploadSource {
  /** The files to upload, in order. */
  readonly files: UploadFile[] = [];

  constructor(readonly fields: { title: string; group?: number; [key: string]: unknown }) {}

  /** Adds a file; its upload name is its base name unless given (folders allowed: `roads/roads.shp`). */
  addFile(file: string | Blob, name?: string): this {
    const fallback = typeof file === 'string' ? file.split(/[\\/]/).pop()! : file instanceof File ? file.name : undefined;
    if (!name && !fallback) throw new MapshelfError('Give a name for a Blob: addFile(blob, "roads.gpkg").');
    this.files.push({ file, name: name ?? fallback! });
    return this;
  }
}

/** Options of an upload. */
export interface UploadOptions {
  /** Bytes of the files sent so far, and their total. */
  onUploadProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

const finishedScan = new Set(['completed', 'error', 'cancelled']);

/** `client.sources`: upload sources, their scans and the datasources they found. */
export class SourcesManager {
  constructor(private readonly client: Client) {}

  /** Every source you may see, as a lazy query. */
  list(): Query<Source> {
    return new Query(this.client, 'sources/', (raw: Source) => raw);
  }

  /** One source, by id. */
  get(id: number): Promise<Source> {
    return this.client.json('GET', path`sources/${id}/`);
  }

  /** Uploads the files as a new source (multipart: `source` JSON and `file0..N`); a scan starts at once. */
  async create(source: UploadSource, options: UploadOptions = {}): Promise<Source> {
    const form = new FormData();
    form.append('source', JSON.stringify(source.fields));
    let total = 0;
    for (const [i, { file, name }] of source.files.entries()) {
      // openAsBlob streams the file from disk rather than reading it into memory.
      const blob = typeof file === 'string' ? await (await import('node:fs')).openAsBlob(file) : file;
      total += blob.size;
      form.append(`file${i}`, blob, name);
    }
    const body = options.onUploadProgress ? countedBody(form, total, options.onUploadProgress) : form;
    return this.client.json('POST', 'sources/', { body, timeout: 24 * 3600 * 1000, ...(options.signal && { signal: options.signal }) });
  }

  /** Deletes a source. */
  async delete(id: number): Promise<void> {
    await this.client.request('DELETE', path`sources/${id}/`);
  }

  /** A source's scans, newest first. */
  listScans(sourceId: number): Query<Scan> {
    return new Query(this.client, path`sources/${sourceId}/scans/`, (raw: Scan) => raw);
  }

  /** One scan of a source. */
  getScan(sourceId: number, scanId: number): Promise<Scan> {
    return this.client.json('GET', path`sources/${sourceId}/scans/${scanId}/`);
  }

  /** Starts a new scan of a source. */
  startScan(sourceId: number): Promise<Scan> {
    return this.client.json('POST', path`sources/${sourceId}/scans/`);
  }

  /** Cancels a running scan. */
  cancelScan(sourceId: number, scanId: number): Promise<Scan> {
    return this.client.json('DELETE', path`sources/${sourceId}/scans/${scanId}/`);
  }

  /** Polls a scan (the newest one, without `scanId`) until it has finished. */
  async waitForScan(sourceId: number, scanId?: number, options: WaitOptions = {}): Promise<Scan> {
    for (;;) {
      const scan = scanId === undefined ? await this.listScans(sourceId).orderBy('-id').first() : await this.getScan(sourceId, scanId);
      if (scan) {
        options.onProgress?.(scan.progress);
        if (finishedScan.has(scan.status)) return scan;
      }
      await sleep(options.intervalMs ?? 500, options.signal);
    }
  }

  /** A scan's log, line by line, as the server streams it. */
  async *scanLog(sourceId: number, scanId: number): AsyncIterable<string> {
    const response = await this.client.request('GET', path`sources/${sourceId}/scans/${scanId}/log/`, { headers: { accept: 'text/plain' } });
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const lines = (pending + decoder.decode(chunk, { stream: true })).split('\n');
      pending = lines.pop()!;
      yield* lines;
    }
    pending += decoder.decode();
    if (pending) yield pending;
  }

  /** The datasources a source's scans found. */
  listDatasources(sourceId: number): Query<Datasource> {
    return new Query(this.client, path`sources/${sourceId}/datasources/`, (raw: Datasource) => raw);
  }

  /** One datasource of a source. */
  getDatasource(sourceId: number, datasourceId: number): Promise<Datasource> {
    return this.client.json('GET', path`sources/${sourceId}/datasources/${datasourceId}/`);
  }

  /** The permissions of one source. */
  permissions(sourceId: number): PermissionsManager {
    return new PermissionsManager(this.client, path`sources/${sourceId}/`);
  }
}

/** A multipart body that reports how much of it has been read by the transport. */
function countedBody(form: FormData, total: number, onProgress: (sent: number, total: number) => void): StreamingBody {
  const encoded = new Response(form);
  let sent = 0;
  let reported = -1;
  const stream = encoded.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        // The multipart framing adds a few hundred bytes that the files' total leaves out.
        sent = Math.min(total, sent + chunk.length);
        if (sent !== reported) onProgress((reported = sent), total);
        controller.enqueue(chunk);
      },
    }),
  );
  return new StreamingBody(stream, encoded.headers.get('content-type')!);
}
