import type { Client } from '../client.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';
import { PermissionsManager } from './permissions.js';
import type { Ref, Timestamp } from './wire.js';

/** A document as the server sends it. */
export interface Document {
  /** Identifies the document in API paths and references. */
  id: number;
  /** Where the API serves this document. */
  url: string;
  /** Always `document`, as in the catalog. */
  type: 'document';
  /** The title shown in the catalog. */
  title: string;
  /** The title again, under the name older Koordinates clients read. */
  name: string;
  /** The file's media type, sniffed from its content: `application/pdf`, `image/png`, ... */
  media_type: string;
  /** When the document was uploaded. */
  created_at: Timestamp;
  /** Plain-text description. */
  description?: string;
  /** The description rendered as HTML paragraphs. */
  description_html?: string;
  /** The group that owns the document. */
  group?: Ref;
  /** The document's licence; null for none. */
  license?: Ref | null;
  /** The catalog categories it is filed under. */
  categories?: string[];
  /** Free-form keywords. */
  tags?: string[];
  /** The name the file was uploaded under, and is downloaded under. Not in list summaries; `get()` or `expand()` fetches it. */
  filename?: string;
  /** The file's size in bytes. Not in list summaries; `get()` or `expand()` fetches it. */
  size?: number;
  /** The file's SHA-256, as `sha256:<hex>`, to check a download against. */
  checksum?: string;
  /** When the document or its fields last changed. */
  updated_at?: Timestamp;
  /** When it appeared in the catalog: documents have no versions, so when it was uploaded. */
  published_at?: Timestamp;
  /** Where to download the file (needs download permission). */
  download_url?: string;
  /** URL of the document's permissions. */
  permissions?: string;
  [key: string]: unknown;
}

/** `client.documents`: uploaded files (PDF, images, text) that are catalog items of their own. */
export class DocumentsManager {
  constructor(private readonly client: Client) {}

  /** Every document you may see, as a lazy query. */
  list(): Query<Document> {
    return new Query(this.client, 'documents/', (raw: Document) => raw);
  }

  /** One document, by id. */
  get(id: number): Promise<Document> {
    return this.client.json('GET', path`documents/${id}/`);
  }

  /** Uploads a file (a path in Node, or a Blob with its name) with its title, tags and licence. */
  async create(fields: { title: string; description?: string; tags?: string[]; license?: number; group?: number }, file: string | Blob, filename?: string): Promise<Document> {
    const form = new FormData();
    form.append('document', JSON.stringify(fields));
    const blob = typeof file === 'string' ? await (await import('node:fs')).openAsBlob(file) : file;
    const name = filename ?? (typeof file === 'string' ? file.split(/[\\/]/).pop()! : file instanceof File ? file.name : 'document');
    form.append('file0', blob, name);
    return this.client.json('POST', 'documents/', { body: form });
  }

  /** Changes a document's fields. */
  async update(id: number, fields: { title?: string; description?: string; tags?: string[]; license?: number | null }): Promise<Document> {
    return this.client.json('PUT', path`documents/${id}/`, { body: fields });
  }

  /** Deletes a document. */
  async delete(id: number): Promise<void> {
    await this.client.request('DELETE', path`documents/${id}/`);
  }

  /** The file's bytes (needs download permission). */
  async download(id: number): Promise<Blob> {
    return (await this.client.request('GET', path`documents/${id}/download/`, { headers: { accept: '*/*' } })).blob();
  }

  /** The permissions of one document. */
  permissions(id: number): PermissionsManager {
    return new PermissionsManager(this.client, path`documents/${id}/`);
  }
}
