/**
 * Shared fixtures for the security suites: a seeded world (two groups, a private item of every
 * kind in group A, a public layer), the principals who look at it, and small HTTP helpers that
 * run many requests with bounded concurrency. Everything goes through HTTP, as a client would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { allScopes } from '../../src/domain/scopes.js';
import { adminToken, type ApiResponse, type TestServer } from '../helpers/server.js';
import { datasourceFor, publishedLayer, uploadDatasources, type PublishedLayer } from '../helpers/published-layers.js';
import { uploadSource, waitForScan } from '../helpers/uploads.js';

/** Every scope but `admin`: what an everyday token of each principal holds. */
export const everydayScopes = allScopes.filter((s) => s !== 'admin').join(' ');

export type GroupRole = 'admin' | 'editor' | 'viewer';

export interface Principal {
  /** Short name used in failure messages. */
  name: string;
  /** null: anonymous. */
  token: string | null;
  userId: number | null;
  /** Admin user and `admin` scope. */
  siteAdmin: boolean;
  /** Role in group A (the group owning the private items), if any. */
  roleInA: GroupRole | null;
  /** Member of group B. */
  inB: boolean;
  /** The token's single scope, for single-scope tokens; undefined for everyday tokens. */
  onlyScope?: string;
  /** The token's own id (for `/tokens/{id}/`), if the principal has one. */
  tokenId: number | null;
}

/** May the principal view group A's private items (and group A itself, and its members)? */
export function viewsGroupA(p: Principal): boolean {
  return p.siteAdmin || p.roleInA !== null;
}

export interface SeededWorld {
  /** Unique to this run; in every private item's title. */
  marker: string;
  groupA: number;
  groupB: number;
  principals: Principal[];
  /** By name, for the everyday principals (`siteAdmin`, `editor`, …). */
  by: Record<string, Principal>;
  privateLayer: PublishedLayer;
  table: PublishedLayer;
  /** The table's datasource (a CSV without geometry). */
  tableDatasourceId: number;
  publicLayer: PublishedLayer;
  set: { id: number; url: string; versionId: number };
  document: { id: number; url: string };
  source: { id: number; url: string; scanId: number; datasourceId: number };
  exportJob: { id: number; url: string; owner: number };
  cropLayer: { id: number; url: string; featureId: number };
  publishRequest: { id: number } | null;
  license: { id: number; slug: string; jurisdiction: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function must(server: TestServer, method: string, path: string, body?: unknown, token: string = adminToken, ok = [200, 201, 202]): Promise<any> {
  const res = await server.request(method, path, { token, ...(body !== undefined && { body }) });
  if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

/** A small polygon GeoJSON (two squares in New Zealand) whose `name` values carry `marker`. */
export function writePolygons(dir: string, file: string, names: string[]): string {
  const features = names.map((name, i) => ({
    type: 'Feature',
    properties: { name, value: i + 1 },
    geometry: {
      type: 'Polygon',
      coordinates: [[[172 + i, -42], [172.5 + i, -42], [172.5 + i, -41.5], [172 + i, -41.5], [172 + i, -42]]],
    },
  }));
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } }, features }));
  return path;
}

async function userWithToken(server: TestServer, username: string, extra: Record<string, unknown>, scope = everydayScopes) {
  const user = await must(server, 'POST', 'users/', { username, ...extra });
  const token = await must(server, 'POST', 'tokens/', { name: `${username}-token`, scope, user: user.id });
  return { id: user.id as number, token: token.key as string, tokenId: token.id as number };
}

async function tokenFor(server: TestServer, userId: number, scope: string) {
  const token = await must(server, 'POST', 'tokens/', { name: `only-${scope}`, scope, user: userId });
  return { token: token.key as string, tokenId: token.id as number };
}

/** Uploads a document (multipart: a `document` JSON part and one file). */
export async function uploadDocument(server: TestServer, part: Record<string, unknown>, file: { name: string; data: Buffer }, token = adminToken) {
  const form = new FormData();
  form.append('document', JSON.stringify(part));
  form.append('file0', new Blob([new Uint8Array(file.data)]), file.name);
  const res = await fetch(`${server.api}documents/`, { method: 'POST', headers: { authorization: `key ${token}`, accept: 'application/json' }, body: form });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`document upload: ${res.status} ${text}`);
  return JSON.parse(text);
}

/**
 * Seeds the world both security suites look at. Group A owns, unshared: a published layer
 * (its polygons named with the marker), a table, a published set holding the layer, a document
 * and a source (all titled with the marker); its editor exports the layer; the site admin makes
 * a crop layer from it. A second layer in group A is public (`group.everyone` view).
 */
export async function seedWorld(server: TestServer): Promise<SeededWorld> {
  const marker = `PRIVATE-${randomBytes(6).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'mapshelf-security-'));
  const groupA = (await must(server, 'POST', 'groups/', { name: 'Group A' })).id as number;
  const groupB = (await must(server, 'POST', 'groups/', { name: 'Group B' })).id as number;

  // Group A's members carry the marker in their first names: users outside A must not see them.
  const groupAdmin = await userWithToken(server, 'a-admin', { first_name: `${marker} admin` });
  const editor = await userWithToken(server, 'a-editor', { first_name: `${marker} editor` });
  const viewer = await userWithToken(server, 'a-viewer', { first_name: `${marker} viewer` });
  const memberB = await userWithToken(server, 'b-member', {});
  const loner = await userWithToken(server, 'loner', {});
  const otherAdmin = await userWithToken(server, 'other-admin', { is_admin: true });
  for (const [user, role] of [[groupAdmin, 'admin'], [editor, 'editor'], [viewer, 'viewer']] as const) {
    await must(server, 'POST', `groups/${groupA}/members/`, { user: user.id, role });
  }
  await must(server, 'POST', `groups/${groupB}/members/`, { user: memberB.id, role: 'editor' });

  const me = await must(server, 'GET', 'users/me/');
  const adminTokens = await must(server, 'GET', `tokens/?user=${me.id}`);
  const base = (name: string, t: { id: number; token: string; tokenId: number } | null, extra: Partial<Principal>): Principal => ({
    name,
    token: t?.token ?? null,
    userId: t?.id ?? null,
    tokenId: t?.tokenId ?? null,
    siteAdmin: false,
    roleInA: null,
    inB: false,
    ...extra,
  });
  const principals: Principal[] = [
    base('siteAdmin', { id: me.id, token: adminToken, tokenId: adminTokens[0]?.id ?? null }, { siteAdmin: true }),
    base('adminWithoutAdminScope', otherAdmin, {}),
    base('groupAdmin', groupAdmin, { roleInA: 'admin' }),
    base('editor', editor, { roleInA: 'editor' }),
    base('viewer', viewer, { roleInA: 'viewer' }),
    base('memberOfB', memberB, { inB: true }),
    base('noGroup', loner, {}),
    base('anonymous', null, {}),
  ];
  // One token per scope: `admin` for the other admin user (so it is a site admin without any
  // other scope), the rest for group A's viewer (so a wrong scope is the only thing in the way).
  for (const scope of allScopes) {
    const owner = scope === 'admin' ? otherAdmin : viewer;
    const t = await tokenFor(server, owner.id, scope);
    principals.push(
      base(`only:${scope}`, { id: owner.id, ...t }, scope === 'admin' ? { siteAdmin: true, onlyScope: scope } : { roleInA: 'viewer', onlyScope: scope }),
    );
  }

  // The private layer, from a source titled with the marker.
  const polygons = writePolygons(dir, 'private.geojson', [`${marker} north`, `${marker} south`]);
  const upload = await uploadSource(server, `${marker} source`, [{ name: 'private.geojson', data: readFileSync(polygons) }], { group: groupA });
  if (upload.status !== 201) throw new Error(`source upload: ${upload.status} ${upload.text}`);
  const scan = await waitForScan(server, upload.body.id as number);
  if (scan.status !== 'completed') throw new Error(`scan: ${JSON.stringify(scan)}`);
  const datasources = await must(server, 'GET', `sources/${upload.body.id}/datasources/`);
  const privateLayer = await publishedLayer(server, 'layers', { title: `${marker} layer`, group: groupA, data: { datasources: [datasources[0].id] } });

  const csv = join(dir, 'rows.csv');
  writeFileSync(csv, `id,label\n1,${marker} row\n2,other\n`);
  const tableDs = await uploadDatasources(server, `${marker} table source`, csv, { group: groupA });
  const table = await publishedLayer(server, 'tables', { title: `${marker} table`, group: groupA, data: { datasources: [datasourceFor(tableDs, tableDs[0]!.layer).id] } });

  const publicFile = writePolygons(dir, 'public.geojson', ['open north', 'open south']);
  const publicDs = await uploadDatasources(server, 'Open source', publicFile, { group: groupA });
  const publicLayer = await publishedLayer(server, 'layers', { title: 'Open layer', group: groupA, data: { datasources: [publicDs[0]!.id] } });
  await must(server, 'POST', `layers/${publicLayer.id}/permissions/`, { group: 'everyone', permission: 'view' });

  const set = await must(server, 'POST', 'sets/', { title: `${marker} set`, group: groupA, items: [privateLayer.url, publicLayer.url] });
  const setVersion = set.version?.id ?? set.latest_version?.id;
  const setPublish = await must(server, 'POST', `sets/${set.id}/versions/${setVersion}/publish/`, {});
  for (let i = 0; i < 100; i++) {
    const state = (await must(server, 'GET', setPublish.url)).state;
    if (state === 'completed') break;
    await sleep(50);
  }

  const document = await uploadDocument(server, { title: `${marker} document`, group: groupA }, { name: 'notes.txt', data: Buffer.from(`${marker} notes\n`) });

  const exportJob = await must(
    server,
    'POST',
    'exports/',
    { name: `${marker} export`, crs: 'EPSG:4326', formats: { vector: 'application/x-ogc-gpkg' }, items: [{ item: privateLayer.url }] },
    editor.token,
  );
  for (let i = 0; i < 300; i++) {
    const state = (await must(server, 'GET', `exports/${exportJob.id}/`)).state;
    if (state !== 'processing') break;
    await sleep(100);
  }

  const cropLayer = await must(server, 'POST', 'exports/croplayers/', { name: 'Crop of a private layer', source_layer: privateLayer.url, name_field: 'name' });
  const features = await must(server, 'GET', `exports/croplayers/${cropLayer.id}/cropfeatures/`);

  // An explicit (redundant) grant, so …/permissions/{principal}/ has something to find.
  await must(server, 'POST', `layers/${privateLayer.id}/permissions/`, { user: viewer.id, permission: 'view' });
  // Newest first: the last is the private layer's, the first publish of all.
  const publishRequests = await must(server, 'GET', 'publish/?page_size=100');
  const license = (await must(server, 'GET', 'licenses/?type=cc-by'))[0];
  return {
    marker,
    groupA,
    groupB,
    principals,
    by: Object.fromEntries(principals.map((p) => [p.name, p])),
    privateLayer,
    table,
    tableDatasourceId: datasourceFor(tableDs, tableDs[0]!.layer).id,
    publicLayer,
    set: { id: set.id, url: set.url, versionId: setVersion },
    document: { id: document.id, url: document.url },
    source: { id: upload.body.id, url: upload.body.url, scanId: scan.id, datasourceId: datasources[0].id },
    exportJob: { id: exportJob.id, url: exportJob.url, owner: editor.id },
    cropLayer: { id: cropLayer.id, url: cropLayer.url, featureId: features[0].id },
    publishRequest: publishRequests.length ? { id: publishRequests[publishRequests.length - 1].id } : null,
    license: { id: license.id, slug: license.type, jurisdiction: license.jurisdiction || 'international' },
  };
}

/** Runs `tasks` with at most `limit` in flight; results in order. */
export async function pool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  });
  await Promise.all(workers);
  return results;
}

/** Every file under `dir` (relative paths), without SQLite's -wal/-shm/-journal files. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) {
        out.push(`${relative(dir, path)}/`);
        walk(path);
      } else if (!/-(wal|shm|journal)$/.test(name)) out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

/** A response as one line, for failure messages. */
export function brief(res: ApiResponse): string {
  return `${res.status} ${res.text.slice(0, 300)}`;
}

/** Waits until `GET /health` answers 200, or throws. */
export async function assertHealthy(server: TestServer): Promise<void> {
  const res = await server.request('GET', '/health', { token: null });
  if (res.status !== 200) throw new Error(`GET /health: ${brief(res)}`);
}
