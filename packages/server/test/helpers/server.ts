/**
 * Starts a real Mapshelf server on a free port with a fresh data folder, and talks to it over
 * HTTP. Every test file builds its own server, so files can run in parallel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, startServer, type ConfigInput, type RunningServer } from '../../src/index.js';
import { createTestDatabase } from './test-database.js';

/** Strong enough for the bootstrap rule (20+ characters, 80+ estimated bits), like `openssl rand -hex 32`. */
export const adminToken = 'test-admin-5f0c9e2ab7d14863e1f7a92c4b6d08e3';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this raw string as the body instead of JSON. */
  raw?: string;
}

export interface TestServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** The Data API root URL, with a trailing slash. */
  api: string;
  dataDir: string;
  /** Its PostgreSQL database's URL on a PostgreSQL run, else null (SQLite in `dataDir`). */
  database: string | null;
  running: RunningServer;
  /** Calls the server; `path` is relative to the Data API root unless it starts with `/` or `http`. */
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export async function startTestServer(config: ConfigInput = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mapshelf-test-'));
  // On a PostgreSQL run, every server gets its own database, as it gets its own data folder.
  const database = config.database === undefined ? await createTestDatabase() : null;
  const running = await startServer(
    // No cap on connections per address: some tests fire bursts of 60+ requests from 127.0.0.1 at
    // once (connections.test.ts checks the cap).
    resolveConfig({ port: 0, dataDir, logLevel: 'silent', bootstrapToken: adminToken, maxConnectionsPerClient: 0, database: database?.url ?? null, ...config }, {}),
  ).catch(async (error: unknown) => {
    await database?.drop();
    throw error;
  });
  const url = running.address;
  const api = `${url}/services/api/v1/`;
  return {
    url,
    api,
    dataDir,
    database: database?.url ?? config.database ?? null,
    running,
    async request(method, path, options = {}) {
      const target = path.startsWith('http') ? path : path.startsWith('/') ? `${url}${path}` : `${api}${path}`;
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
      const token = options.token === undefined ? adminToken : options.token;
      if (token !== null) headers.authorization = `key ${token}`;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(target, { method, headers, body, redirect: 'manual' });
      const text = await response.text();
      let parsed: unknown = undefined;
      if (text && (response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
      return { status: response.status, headers: response.headers, body: parsed as any, text };
    },
    async close() {
      await running.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a user (as the admin) and a token for them with the given scopes. */
export async function createUserWithToken(
  server: TestServer,
  username: string,
  scope: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: number; token: string; url: string }> {
  const user = await server.request('POST', 'users/', { body: { username, ...extra } });
  if (user.status !== 201) throw new Error(`creating user ${username}: ${user.status} ${user.text}`);
  const token = await server.request('POST', 'tokens/', { body: { name: `${username}-token`, scope, user: user.body.id } });
  if (token.status !== 201) throw new Error(`creating token for ${username}: ${token.status} ${token.text}`);
  return { id: user.body.id, token: token.body.key, url: user.body.url };
}

/** Parses a Link header into { rel: url }. */
export function parseLinks(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part.trim());
    if (match) links[match[2]!] = match[1]!;
  }
  return links;
}

/** A page link without its `snapshot` parameter, to compare with an expected URL. */
export function withoutSnapshot(url: string | undefined): string | undefined {
  return url?.replace(/&snapshot=\d+/, '');
}
