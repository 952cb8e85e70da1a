import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bootstrapTokenWeakness } from './domain/token-strength.js';

/**
 * Where a process finds the catalog and the files: the same settings for every role (`serve`,
 * `serve --no-workers`, `worker`), so each role's processes share one store.
 */
export interface StoreConfig {
  /** Holds the catalog database (unless `database` is given) and the layers' files. Created on first start. */
  dataDir: string;
  /**
   * A postgres:// URL: the catalog lives in that PostgreSQL/PostGIS database, and any number of
   * processes may share it (with one data folder). Null: the SQLite file in the data folder.
   */
  database: string | null;
}

/** What every process role is told at start: the store, logging, the domain's settings and how jobs are shared. */
export interface ProcessConfig extends StoreConfig {
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * `pretty`: one readable line per request (method, URL, status, time) and per message, for a
   * person at a terminal; `json`: pino's JSON lines, for log collectors.
   * @default "pretty" when standard output is a terminal, else "json"
   */
  logFormat: 'pretty' | 'json';
  /** Largest upload, in bytes: all the file parts of one request together. */
  uploadLimit: number;
  /**
   * Largest total an upload may occupy once its zips are extracted, in bytes.
   * @default 4 × uploadLimit, at most 20 GiB
   */
  extractLimit: number;
  /**
   * Largest file a metadata record's hosted link may hold, in bytes.
   * @default 20 MiB
   */
  hostedFileLimit: number;
  /** How long a finished export can be downloaded before it expires, in seconds. */
  exportTtl: number;
  /** How many exports run at once in each process that runs jobs; the rest wait in the queue. */
  exportConcurrency: number;
  /**
   * Seconds a job's lease lasts unless renewed: how long the jobs of a process that died wait
   * before another process takes them over.
   * @default 60
   */
  jobLease: number;
  /**
   * Seconds between renewals of the leases of running jobs; at most half the lease.
   * @default 15
   */
  jobRenewal: number;
}

/** Everything the server (`serve`) can be told at start, from flags or the environment. */
export interface ServerConfig extends ProcessConfig {
  host: string;
  port: number;
  /**
   * Whether this process also runs jobs (`serve`), or only the API (`serve --no-workers`, with
   * `mapshelf worker` processes running them).
   * @default true
   */
  workers: boolean;
  /** The origin (and optional path prefix) clients reach the server at; every absolute URL starts with it. */
  publicUrl: string | null;
  /**
   * Which proxies may set X-Forwarded-Proto/Host/For: `false` (none), `true` (any), or addresses
   * and CIDR ranges such as `127.0.0.1,10.0.0.0/8`.
   */
  trustProxy: boolean | string[];
  /** PEM certificate and key, to serve HTTPS directly. */
  tls: { cert: Buffer; key: Buffer } | null;
  /** Largest JSON request body, in bytes. */
  bodyLimit: number;
  /** First-start admin token, from MAPSHELF_BOOTSTRAP_TOKEN. */
  bootstrapToken: string | null;
  /** Origins browser clients may call the API from (`*` for any); none by default. */
  corsOrigins: string[];
  /**
   * Seconds a client has to send a request's headers (Node's `server.headersTimeout`).
   * @default 30
   */
  headersTimeout: number;
  /**
   * Seconds a connection may stay silent while the server waits for the client (headers, body, or
   * reading the response); then it is closed. 0 turns it off.
   * @default 60
   */
  idleTimeout: number;
  /**
   * Seconds a client has to send a whole request, body included, except uploads to /sources/ and
   * /documents/ (which only have the idle limit). 0 turns it off.
   * @default 300
   */
  requestTimeout: number;
  /**
   * Open connections one client address may hold; past it, new ones are closed at once. 0 turns
   * it off. Behind a trusted proxy every client has the proxy's address, so it defaults to 0 there.
   * @default 64, or 0 with --trust-proxy
   */
  maxConnectionsPerClient: number;
}

export interface ConfigInput {
  host?: string;
  port?: number | string;
  dataDir?: string;
  database?: string | null;
  publicUrl?: string | null;
  trustProxy?: boolean | string | string[];
  tlsCert?: string | null;
  tlsKey?: string | null;
  bodyLimit?: number | string;
  uploadLimit?: number | string;
  extractLimit?: number | string;
  hostedFileLimit?: number | string;
  logLevel?: string;
  logFormat?: string;
  bootstrapToken?: string | null;
  exportTtl?: number | string;
  exportConcurrency?: number | string;
  corsOrigins?: string | string[];
  headersTimeout?: number | string;
  idleTimeout?: number | string;
  requestTimeout?: number | string;
  maxConnectionsPerClient?: number | string;
  workers?: boolean | string;
  jobLease?: number | string;
  jobRenewal?: number | string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function parsePort(value: number | string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be 0-65535, not "${value}"`);
  return port;
}

function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--public-url must be an absolute URL such as https://data.example.org, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('--public-url must use http or https');
  if (url.search || url.hash) throw new ConfigError('--public-url must not have a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function parseTrustProxy(value: boolean | string | string[]): boolean | string[] {
  if (typeof value === 'boolean') return value;
  const list = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean);
  if (list.length === 1 && (list[0] === 'true' || list[0] === 'false')) return list[0] === 'true';
  return list;
}

function parseSize(value: number | string, flag: string): number {
  const text = String(value).trim();
  const match = /^(\d+)\s*([kmg]i?b?)?$/i.exec(text);
  if (!match) throw new ConfigError(`${flag} must be a size such as 1048576 or 2mb, not "${value}"`);
  const units: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  const bytes = Number(match[1]) * (units[match[2]?.[0]?.toLowerCase() ?? ''] ?? 1);
  if (bytes < 1024) throw new ConfigError(`${flag} must be at least 1kb`);
  return bytes;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`Cannot read the TLS ${what} at ${path}: ${(error as Error).message}`);
  }
}

/** A duration such as 3600, 90s, 30m, 12h or 7d, in seconds. */
function parseDuration(value: number | string, flag: string): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(String(value).trim());
  if (!match) throw new ConfigError(`${flag} must be a duration such as 3600, 30m, 12h or 7d, not "${value}"`);
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
  const seconds = Number(match[1]) * units[match[2]!.toLowerCase()]!;
  if (seconds < 1) throw new ConfigError(`${flag} must be at least 1 second`);
  return seconds;
}

/** A timeout such as 30, 90s or 5m, in seconds; 0 (off) only where `off` is allowed. */
function parseTimeout(value: number | string, flag: string, off: boolean): number {
  if (off && /^0+\s*[smhd]?$/i.test(String(value).trim())) return 0;
  return parseDuration(value, flag);
}

function parseCount(value: number | string, flag: string, max: number): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > max) throw new ConfigError(`${flag} must be a whole number from 1 to ${max}, not "${value}"`);
  return count;
}

/** A whole number of at least 0 (0: no limit). */
function parseLimit(value: number | string, flag: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000) throw new ConfigError(`${flag} must be a whole number from 0 (no limit) to 1000000, not "${value}"`);
  return count;
}

function parseOrigins(value: string | string[]): string[] {
  const list = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
  for (const origin of list) {
    if (origin === '*') continue;
    let url: URL | null = null;
    try {
      url = new URL(origin);
    } catch {
      // reported below
    }
    if (!url || url.origin !== origin) throw new ConfigError(`--cors-origins takes origins such as https://app.example.org (scheme, host and port only) or *, not "${origin}"`);
  }
  return list;
}

/** An environment variable, where an empty value counts as unset. */
function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function parseSwitch(value: boolean | string, flag: string): boolean {
  if (typeof value === 'boolean') return value;
  if (/^(true|1|yes)$/i.test(value.trim())) return true;
  if (/^(false|0|no)$/i.test(value.trim())) return false;
  throw new ConfigError(`${flag} must be true or false, not "${value}"`);
}

/** Resolves the store settings (the data folder) over the environment and defaults. */
export function resolveStoreConfig(input: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  return {
    dataDir: resolve(input.dataDir ?? fromEnv(env, 'MAPSHELF_DATA_DIR') ?? './mapshelf-data'),
    database: input.database ?? fromEnv(env, 'MAPSHELF_DATABASE_URL') ?? null,
  };
}

/** Resolves what every process role needs (a `mapshelf worker` needs no more), and checks it. */
export function resolveProcessConfig(input: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): ProcessConfig {
  const logLevel = input.logLevel ?? fromEnv(env, 'MAPSHELF_LOG_LEVEL') ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of ${logLevels.join(', ')}`);
  }
  const logFormat = input.logFormat ?? fromEnv(env, 'MAPSHELF_LOG_FORMAT') ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (logFormat !== 'pretty' && logFormat !== 'json') throw new ConfigError(`--log-format must be pretty or json, not "${logFormat}"`);
  const uploadLimit = parseSize(input.uploadLimit ?? fromEnv(env, 'MAPSHELF_UPLOAD_LIMIT') ?? '2gb', '--upload-limit');
  const jobLease = parseDuration(input.jobLease ?? fromEnv(env, 'MAPSHELF_JOB_LEASE') ?? '60s', '--job-lease');
  const jobRenewal = parseDuration(input.jobRenewal ?? fromEnv(env, 'MAPSHELF_JOB_RENEWAL') ?? Math.max(1, Math.min(15, Math.floor(jobLease / 4))), '--job-renewal');
  // A renewal that comes late (a busy database) must still land within the lease.
  if (jobRenewal * 2 > jobLease) throw new ConfigError(`--job-renewal must be at most half of --job-lease (${jobLease}s), not ${jobRenewal}s`);
  return {
    ...resolveStoreConfig(input, env),
    logLevel: logLevel as ProcessConfig['logLevel'],
    logFormat,
    uploadLimit,
    extractLimit: parseSize(input.extractLimit ?? fromEnv(env, 'MAPSHELF_EXTRACT_LIMIT') ?? Math.min(4 * uploadLimit, 20 * 1024 ** 3), '--extract-limit'),
    hostedFileLimit: parseSize(input.hostedFileLimit ?? fromEnv(env, 'MAPSHELF_HOSTED_FILE_LIMIT') ?? '20mb', '--hosted-file-limit'),
    exportTtl: parseDuration(input.exportTtl ?? fromEnv(env, 'MAPSHELF_EXPORT_TTL') ?? '7d', '--export-ttl'),
    exportConcurrency: parseCount(input.exportConcurrency ?? fromEnv(env, 'MAPSHELF_EXPORT_CONCURRENCY') ?? 2, '--export-concurrency', 64),
    jobLease,
    jobRenewal,
  };
}

/** Resolves flags over environment variables over defaults, and checks them. */
export function resolveConfig(input: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const tlsCert = input.tlsCert ?? fromEnv(env, 'MAPSHELF_TLS_CERT') ?? null;
  const tlsKey = input.tlsKey ?? fromEnv(env, 'MAPSHELF_TLS_KEY') ?? null;
  if ((tlsCert === null) !== (tlsKey === null)) throw new ConfigError('--tls-cert and --tls-key go together: give both or neither');
  const processConfig = resolveProcessConfig(input, env);
  const publicUrl = input.publicUrl ?? fromEnv(env, 'MAPSHELF_PUBLIC_URL') ?? null;
  const bootstrapToken = input.bootstrapToken ?? fromEnv(env, 'MAPSHELF_BOOTSTRAP_TOKEN') ?? null;
  if (bootstrapToken !== null && !/^[\x21-\x7e]{1,512}$/.test(bootstrapToken)) {
    throw new ConfigError('MAPSHELF_BOOTSTRAP_TOKEN must be 1-512 printable characters without spaces');
  }
  const weakness = bootstrapToken === null ? null : bootstrapTokenWeakness(bootstrapToken);
  if (weakness) throw new ConfigError(weakness);
  const trustProxy = parseTrustProxy(input.trustProxy ?? fromEnv(env, 'MAPSHELF_TRUST_PROXY') ?? false);
  const behindProxy = trustProxy === true || (Array.isArray(trustProxy) && trustProxy.length > 0);
  return {
    ...processConfig,
    host: input.host ?? fromEnv(env, 'MAPSHELF_HOST') ?? '127.0.0.1',
    port: parsePort(input.port ?? fromEnv(env, 'MAPSHELF_PORT') ?? 8080),
    workers: parseSwitch(input.workers ?? fromEnv(env, 'MAPSHELF_WORKERS') ?? true, '--workers'),
    publicUrl: publicUrl ? parsePublicUrl(publicUrl) : null,
    trustProxy,
    tls: tlsCert && tlsKey ? { cert: readPem(tlsCert, 'certificate'), key: readPem(tlsKey, 'key') } : null,
    bodyLimit: parseSize(input.bodyLimit ?? fromEnv(env, 'MAPSHELF_BODY_LIMIT') ?? 1024 * 1024, '--body-limit'),
    bootstrapToken,
    corsOrigins: parseOrigins(input.corsOrigins ?? fromEnv(env, 'MAPSHELF_CORS_ORIGINS') ?? []),
    headersTimeout: parseTimeout(input.headersTimeout ?? fromEnv(env, 'MAPSHELF_HEADERS_TIMEOUT') ?? '30s', '--headers-timeout', false),
    idleTimeout: parseTimeout(input.idleTimeout ?? fromEnv(env, 'MAPSHELF_IDLE_TIMEOUT') ?? '60s', '--idle-timeout', true),
    requestTimeout: parseTimeout(input.requestTimeout ?? fromEnv(env, 'MAPSHELF_REQUEST_TIMEOUT') ?? '5m', '--request-timeout', true),
    maxConnectionsPerClient: parseLimit(
      input.maxConnectionsPerClient ?? fromEnv(env, 'MAPSHELF_MAX_CONNECTIONS_PER_CLIENT') ?? (behindProxy ? 0 : 64),
      '--max-connections-per-client',
    ),
  };
}
