import type { Client } from '../client.js';
import { MapshelfError } from '../core/errors.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';
import { sleep } from '../core/sleep.js';
import { StreamingBody } from '../core/streaming-body.js';
import type { WaitOptions } from './layers.js';
import { PermissionsManager } from './permissions.js';

/** A source as the server sends it. */
export interface Source {
  id: number;
  url: string;
  type: string;
  title: string;
  datasources: string;
  scans: string;
  last_scanned_at: string | null;
  [key: string]: unknown;
}

/** A scan of a source: its state, progress and what changed. */
export interface Scan {
  id: number;
  url: string;
  status: 'queued' | 'scanning' | 'completed' | 'error' | 'cancelled';
  progress: number;
  change_counts: { added: number; updated: number; deleted: number };
  [key: string]: unknown;
}

/** A dataset found in a source, ready to become a layer or table. */
export interface Datasource {
  id: number;
  url: string;
  title: string;
  data_type: 'vector' | 'table' | string;
  format: string;
  geometry_type: string | null;
  crs: string | null;
  num_features: number | null;
  upload_path: string;
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
