import { APIConnectionError, APITimeoutError, errorFor, MapshelfError } from './core/errors.js';
import { sleep } from './core/sleep.js';
import { StreamingBody } from './core/streaming-body.js';
import { GroupsManager, TokensManager, UsersManager } from './resources/accounts.js';
import { CatalogManager } from './resources/catalog.js';
import { DocumentsManager } from './resources/documents.js';
import { ExportsManager } from './resources/exports.js';
import { LayersManager } from './resources/layers.js';
import { LicensesManager } from './resources/licenses.js';
import { PublishingManager } from './resources/publishing.js';
import { SetsManager } from './resources/sets.js';
import { SourcesManager } from './resources/sources.js';

/** The Data API's path under a site's origin. */
export const apiBasePath = '/services/api/v1/';

/** How to reach a site: its address, the token, and transport settings. */
export interface ClientOptions {
  /** The site's host name, e.g. `data.example.org`. Give this or `baseUrl`. */
  host?: string;
  /** @default 'https' */
  protocol?: 'https' | 'http';
  /** The site's origin, e.g. `http://localhost:8080`; wins over `host` and `protocol`. */
  baseUrl?: string;
  /** API token. In Node it falls back to `MAPSHELF_TOKEN`, then `KOORDINATES_TOKEN`. */
  token?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Retries of an idempotent request (GET, HEAD, OPTIONS, PUT, DELETE) that hit a rate limit, an unavailable server or a broken connection. @default 2 */
  maxRetries?: number;
  /** Milliseconds before a request is abandoned. @default 60000 */
  timeout?: number;
  userAgent?: string;
}

/** A query-string value; arrays repeat the parameter. */
export type QueryValue = string | number | boolean;

/** Options of one request; they come last in every call. */
export interface RequestOptions {
  query?: Record<string, QueryValue | QueryValue[] | undefined>;
  /** Sent as JSON, unless it is a `FormData`, a `Blob` or a `StreamingBody`. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeout?: number;
  maxRetries?: number;
}

const retryStatuses = new Set([429, 502, 503, 504]);
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const maxRedirects = 5;
const runsInNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

function environmentToken(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.MAPSHELF_TOKEN || env?.KOORDINATES_TOKEN || undefined;
}

/** How long to wait before retry `attempt` (0-based): `Retry-After` if the server said, else backoff with jitter. */
function retryDelay(attempt: number, response: Response | null): number {
  const header = response?.headers.get('retry-after');
  if (header) {
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 60_000);
  }
  return Math.min(8000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
}

/**
 * A Mapshelf (or any Koordinates-compatible) site. This class is the only code that does HTTP:
 * authentication, timeouts, retries and error mapping live here once.
 */
export class Client {
  /** The Data API root, e.g. `https://data.example.org/services/api/v1/`. */
  readonly baseUrl: string;
  /** Vector layers: versions, drafts, imports, publishing, metadata and permissions. */
  readonly layers: LayersManager;
  /** Tables (data without geometry): the same methods as `layers`. */
  readonly tables: LayersManager;
  /** One search over every layer, table, set and document you may see. */
  readonly catalog: CatalogManager;
  /** Licences, the Creative Commons ones included. */
  readonly licenses: LicensesManager;
  /** Exports (reprojected, cropped, zipped downloads) and crop layers. */
  readonly exports: ExportsManager;
  /** Sets: versioned groups of layers, tables and documents. */
  readonly sets: SetsManager;
  /** Documents: uploaded files that are catalog items of their own. */
  readonly documents: DocumentsManager;
  /** Upload sources, their scans and datasources. */
  readonly sources: SourcesManager;
  /** Publish requests: versions published together or one by one, now or later. */
  readonly publishing: PublishingManager;
  /** Users; `me()` is the token's own. */
  readonly users: UsersManager;
  /** Groups and their members' roles. */
  readonly groups: GroupsManager;
  /** API tokens. */
  readonly tokens: TokensManager;
  private readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly maxRetries: number;
  private readonly timeout: number;
  private readonly userAgent: string | undefined;

  constructor(options: ClientOptions = {}) {
    const origin = options.baseUrl ?? (options.host ? `${options.protocol ?? 'https'}://${options.host}` : undefined);
    if (!origin) throw new MapshelfError('Give the site as `host` (data.example.org) or `baseUrl` (http://localhost:8080).');
    this.baseUrl = `${origin.replace(/\/+$/, '').replace(/\/services\/api\/v1$/, '')}${apiBasePath}`;
    this.token = options.token ?? environmentToken();
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.maxRetries = options.maxRetries ?? 2;
    this.timeout = options.timeout ?? 60_000;
    this.userAgent = options.userAgent;
    this.layers = new LayersManager(this, 'layers');
    this.tables = new LayersManager(this, 'tables');
    this.catalog = new CatalogManager(this);
    this.licenses = new LicensesManager(this);
    this.exports = new ExportsManager(this);
    this.sets = new SetsManager(this);
    this.documents = new DocumentsManager(this);
    this.sources = new SourcesManager(this);
    this.publishing = new PublishingManager(this);
    this.users = new UsersManager(this);
    this.groups = new GroupsManager(this);
    this.tokens = new TokensManager(this);
  }

  /** An absolute URL for an API path (relative to the API root) or a URL the server gave. */
  url(pathOrUrl: string, query?: RequestOptions['query']): string {
    const url = new URL(/^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl.replace(/^\/+/, '')}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.delete(key);
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
    }
    return url.toString();
  }

  /** Sends a request and answers its response; an error status throws the matching `APIError`. */
  async request(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(pathOrUrl, options.query);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `key ${this.token}`;
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    let body: BodyInit | undefined;
    if (options.body instanceof StreamingBody) {
      body = options.body.stream;
      headers['content-type'] = options.body.contentType;
    } else if (options.body instanceof FormData || options.body instanceof Blob) body = options.body;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    // Only requests that can be repeated safely are retried; a POST may have been carried out.
    const maxRetries = options.maxRetries ?? (idempotentMethods.has(method.toUpperCase()) ? this.maxRetries : 0);
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(options.timeout ?? this.timeout);
      // AbortSignal.any arrived in Node 20.3; before it, the caller's signal alone is honoured.
      const signal = options.signal ? (typeof AbortSignal.any === 'function' ? AbortSignal.any([options.signal, timeout]) : options.signal) : timeout;
      let response: Response | null = null;
      try {
        // A streamed body needs half-duplex (Node's fetch, and browsers that stream uploads).
        const init = { method, headers, body, signal, ...(body instanceof ReadableStream && { duplex: 'half' }) } as RequestInit & { headers: Record<string, string> };
        response = await this.fetchFollowing(url, init);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (attempt < maxRetries) {
          await sleep(retryDelay(attempt, null));
          continue;
        }
        if (timeout.aborted) throw new APITimeoutError(`${method} ${url} took longer than ${options.timeout ?? this.timeout} ms.`, { cause: error });
        throw new APIConnectionError(`Could not reach ${url}: ${(error as Error).message}. Is the server running, and the URL right?`, { cause: error });
      }
      if (response.ok || response.status === 304) return response;
      if (retryStatuses.has(response.status) && attempt < maxRetries) {
        await response.body?.cancel();
        await sleep(retryDelay(attempt, response));
        continue;
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON (a proxy's error page): the text is the best there is.
      }
      throw errorFor(response.status, parsed, response.headers);
    }
  }

  private readonly filterSpecs = new Map<string, Promise<Record<string, { lookups?: Record<string, unknown> }> | null>>();

  /** The filters a list offers, from its OPTIONS (asked once per list); null if the site does not say. */
  listFilters(path: string): Promise<Record<string, { lookups?: Record<string, unknown> }> | null> {
    let spec = this.filterSpecs.get(path);
    if (!spec) {
      spec = this.json<{ filters?: Record<string, { lookups?: Record<string, unknown> }> }>('OPTIONS', path).then(
        (body) => body?.filters ?? null,
        () => null,
      );
      this.filterSpecs.set(path, spec);
    }
    return spec;
  }

  /**
   * Fetches, following redirects itself where it can see them (Node): the token goes only to
   * the origin it was given for, so a redirect to another host drops `Authorization`. Browsers
   * hide redirects from scripts and apply the same rule themselves.
   */
  private async fetchFollowing(url: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
    if (!runsInNode) return this.fetchImpl(url, init);
    let current = url;
    let request = init;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const response = await this.fetchImpl(current, { ...request, redirect: 'manual' });
      const location = response.headers.get('location');
      if (!redirectStatuses.has(response.status) || !location) return response;
      await response.body?.cancel();
      const next = new URL(location, current);
      const headers = { ...request.headers };
      if (next.origin !== new URL(current).origin) delete headers.authorization;
      const asGet = response.status === 303 || ((response.status === 301 || response.status === 302) && request.method === 'POST');
      if (asGet) delete headers['content-type'];
      else if (request.body instanceof ReadableStream) throw new APIConnectionError(`${current} redirected a streamed upload to ${next}; upload to that URL instead.`);
      request = { ...request, headers, ...(asGet && { method: 'GET', body: null }) };
      current = next.toString();
    }
    throw new APIConnectionError(`${url} redirected more than ${maxRedirects} times.`);
  }

  /** A request whose answer is JSON. */
  async json<T>(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, pathOrUrl, options);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }
}
