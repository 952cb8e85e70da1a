/**
 * Bad input, everywhere: tables of field × bad value for every route family, and generic query,
 * path, header and body cases for every list and detail route in the OpenAPI document. Every
 * case must be refused with a 4xx JSON error (`detail`, `code`; for body, query, path and header
 * errors `errors[].location` naming the field), never a 5xx; after each family the server is
 * still healthy and the data folder holds no new file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { adminToken, startTestServer } from '../helpers/server.js';
import { assertHealthy, listFiles, pool, seedWorld } from './principals.js';

const v1 = '/services/api/v1';
const server = await startTestServer();
const w = await seedWorld(server);
after(() => server.close());
// Drafts to edit, publish and attach metadata to (published versions never change: a 409 would hide the validation).
const layerDraft = await server.request('POST', `layers/${w.privateLayer.id}/versions/`, { body: {} });
const setDraft = await server.request('POST', `sets/${w.set.id}/versions/`, { body: {} });
if (layerDraft.status !== 201 || setDraft.status !== 201) throw new Error(`drafts: ${layerDraft.text} ${setDraft.text}`);

// ---- Cases -------------------------------------------------------------------------------

interface Case {
  name: string;
  method: string;
  path: string;
  /** JSON body (sent as application/json). */
  body?: unknown;
  /** Raw body text, with headers['content-type'] as given. */
  raw?: string;
  form?: () => FormData;
  headers?: Record<string, string>;
  /** Defaults to the site admin's token; null: none. */
  token?: string | null;
  /** The error must name this location (exactly, or as a prefix: `body.data` for `body.data.crs`). */
  loc?: string;
  /** Allowed statuses; default any 4xx. */
  status?: number[];
  /** POST exports/validate/ may answer 200 with is_valid false and a reason naming the field. */
  report?: boolean;
}

const families = new Map<string, Case[]>();
function add(family: string, ...cases: Case[]): void {
  families.set(family, [...(families.get(family) ?? []), ...cases]);
}

type Bad = [label: string, value: unknown];
const evil = 'http://evil.example';
const nul = 'a\u0000b';
const bidi = 'report\u202Efdp.exe';
const huge = 'x'.repeat(200_000);
const notString: Bad[] = [['a number', 42], ['a boolean', true], ['an array', ['x']], ['an object', { a: 1 }]];
const notInteger: Bad[] = [['a string', '1'], ['zero', 0], ['negative', -1], ['a fraction', 1.5], ['too big', 2 ** 53 + 2], ['a boolean', true], ['null', null]];
const badNames: Bad[] = [['empty', ''], ['blank', '   '], ['NUL', nul], ['U+202E', bidi], ['huge', huge]];

function setPath(target: Record<string, any>, dotted: string, value: unknown): Record<string, any> {
  const copy = structuredClone(target);
  const keys = dotted.split('.');
  let at: Record<string, any> = copy;
  for (const key of keys.slice(0, -1)) at = at[key] ??= {};
  if (value === undefined) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return copy;
}

/** field × bad value, each on a body otherwise valid; plus the field missing (if required) and an unknown field. */
function fieldCases(family: string, method: string, path: string, base: Record<string, unknown>, fields: Record<string, Bad[]>, required: string[] = [], extra: Partial<Case> = {}): void {
  for (const [field, values] of Object.entries(fields)) {
    for (const [label, value] of values) {
      add(family, { name: `${method} ${path} ${field} ${label}`, method, path, body: setPath(base, field, value), loc: `body.${field}`, ...extra });
    }
  }
  for (const field of required) add(family, { name: `${method} ${path} without ${field}`, method, path, body: setPath(base, field, undefined), loc: `body.${field}`, ...extra });
  add(family, { name: `${method} ${path} unknown field`, method, path, body: { ...base, colour: 'red' }, loc: 'body.colour', ...extra });
  add(family, { name: `${method} ${path} prototype field`, method, path, raw: JSON.stringify(base).replace(/^\{/, '{"__proto__":{"is_admin":true},'), headers: { 'content-type': 'application/json' }, loc: 'body.__proto__', ...extra });
}

const A = w.groupA;
const layer = w.privateLayer;
const layerVersion = `layers/${layer.id}/versions/${layerDraft.body.version.id}/`;
const ds = w.source.datasourceId;

// users
fieldCases('users', 'POST', 'users/', { username: 'newbie' }, {
  username: [...notString, ['empty', ''], ['with a space', 'a b'], ['too long', 'u'.repeat(151)], ['NUL', nul], ['U+202E', bidi], ['a slash', '../x']],
  email: [['not an email', 'not-an-email'], ['a number', 42], ['too long', `${'e'.repeat(300)}@x.nz`], ['javascript:', 'javascript:alert(1)']],
  first_name: [...notString, ['too long', 'f'.repeat(151)], ['NUL', nul], ['U+202E', bidi]],
  last_name: [['a number', 42], ['huge', huge]],
  is_admin: [['a string', 'yes'], ['a number', 1], ['null', null]],
}, ['username']);
fieldCases('users', 'PATCH', `users/${w.by.viewer!.userId}/`, { first_name: 'Vi' }, {
  username: [['a number', 42], ['empty', ''], ['NUL', nul]],
  is_active: [['a string', 'no'], ['a number', 0]],
  email: [['not an email', 'x@']],
});

// groups and members
fieldCases('groups', 'POST', 'groups/', { name: 'New group' }, {
  name: [...notString, ...badNames],
  description: [['a number', 42], ['too long', 'd'.repeat(4001)]],
}, ['name']);
fieldCases('groups', 'PATCH', `groups/${A}/`, { description: 'ok' }, { name: [['a number', 42], ['empty', ''], ['NUL', nul], ['U+202E', bidi]] });
fieldCases('members', 'POST', `groups/${A}/members/`, { user: w.by.noGroup!.userId, role: 'viewer' }, {
  user: [...notInteger, ['another host', `${evil}/services/api/v1/users/1/`], ['no such user', 999_999]],
  role: [['unknown', 'owner'], ['a number', 1], ['null', null], ['upper case', 'ADMIN']],
}, ['user', 'role']);
fieldCases('members', 'PUT', `groups/${A}/members/${w.by.viewer!.userId}/`, { role: 'viewer' }, { role: [['unknown', 'root'], ['empty', '']] }, ['role']);

// tokens
fieldCases('tokens', 'POST', 'tokens/', { name: 't', scope: 'layers:read' }, {
  name: [['a number', 42], ['too long', 'n'.repeat(201)], ['NUL', nul]],
  scope: [['a number', 42], ['empty', ''], ['unknown scope', 'layers:read root'], ['too long', 'layers:read '.repeat(200)], ['an array', ['layers:read']]],
  expires_at: [['not a date', 'tomorrow'], ['a number', 1e12], ['in the past', '2000-01-01T00:00:00Z']],
  user: [...notInteger, ['no such user', 999_999]],
  referrers: [['a referrer', ['https://x.example']], ['a string', 'x']],
}, ['name', 'scope']);

// licenses
fieldCases('licenses', 'POST', 'licenses/', { title: 'Custom', text: 'You may.' }, {
  title: [...notString, ['empty', ''], ['blank', '  '], ['too long', 't'.repeat(201)], ['NUL', nul], ['U+202E', bidi]],
  text: [['a number', 42], ['empty', ''], ['too long', 'x'.repeat(100_001)]],
  url: [
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['JavaScript: mixed case', 'JaVaScRiPt:alert(1)'],
    ['javascript: with spaces', ' javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['file:', 'file:///etc/passwd'],
    ['not a URL', 'not a url'],
    ['a number', 42],
  ],
  version: [['a number', 4], ['too long', 'v'.repeat(33)]],
}, ['title', 'text']);

// layers, tables, versions
const badCrs: Bad[] = [
  ['a path', '/etc/passwd'],
  ['a relative path', '../../etc/passwd'],
  ['/vsicurl/', '/vsicurl/http://127.0.0.1:1/x'],
  ['a URL', 'http://127.0.0.1:1/crs.prj'],
  ['a file URL', 'file:///etc/passwd'],
  ['a PROJ string', '+proj=longlat +init=/etc/passwd'],
  ['WKT', 'GEOGCS["x",DATUM["y",SPHEROID["z",1,0]]]'],
  ['an unknown authority', 'FILE:passwd'],
  ['an unknown code', 'EPSG:99999999'],
  ['a number', 4326],
  ['empty', ''],
  ['huge', `EPSG:${'9'.repeat(5000)}`],
];
const layerBase = { title: 'New layer', group: A, data: { datasources: [ds] } };
for (const collection of ['layers', 'tables'] as const) {
  const base = collection === 'tables' ? { ...layerBase, data: { datasources: [w.tableDatasourceId] } } : layerBase;
  fieldCases(collection, 'POST', `${collection}/`, base, {
    title: [...notString, ['too long', 't'.repeat(501)], ['NUL', nul], ['U+202E', bidi]],
    group: [['a string', 'A'], ['zero', 0], ['negative', -1], ['{id} a string', { id: '1' }], ['another host', `${evil}/services/api/v1/groups/${A}/`], ['no such group', 999_999]],
    'data.datasources': [['empty', []], ['zero', [0]], ['two', [ds, ds]], ['another host', [`${evil}/services/api/v1/sources/${w.source.id}/datasources/${ds}/`]], ['a string', 'x'], ['no such datasource', [999_999]]],
    'data.crs': badCrs,
    tags: [['empty tag', ['']], ['a number', [42]], ['a string', 'x'], ['too many', Array.from({ length: 101 }, (_, i) => `t${i}`)]],
    license: [['zero', 0], ['another host', `${evil}/services/api/v1/licenses/${w.license.id}/`], ['not a URL', 'abc'], ['no such license', 999_999]],
    description: [['a number', 42], ['too long', 'd'.repeat(100_001)]],
  }, ['data']);
}
fieldCases('versions', 'PUT', layerVersion, { title: 'Edited' }, {
  title: [['a number', 42], ['NUL', nul], ['U+202E', bidi]],
  'data.crs': badCrs.slice(0, 6),
  'data.datasources': [['another host', [`${evil}/services/api/v1/sources/1/datasources/1/`]]],
  categories: [['a number', 42]],
});

// publish
fieldCases('publish', 'POST', 'publish/', { items: [`${server.api}${layerVersion}`] }, {
  items: [['empty', []], ['zero', [0]], ['another host', [`${evil}/services/api/v1/${layerVersion}`]], ['javascript:', ['javascript:alert(1)']], ['an object', [{ id: 1 }]], ['no such version', [999_999]]],
  publish_strategy: [['unknown', 'all'], ['a number', 1]],
  error_strategy: [['unknown', 'retry']],
  publish_at: [['not a date', 'soon'], ['a number', 1]],
}, ['items']);

// sets
const setVersion = `sets/${w.set.id}/versions/${setDraft.body.version?.id ?? setDraft.body.latest_version?.id}/`;
fieldCases('sets', 'POST', 'sets/', { title: 'New set', group: A }, {
  title: [['a number', 42], ['NUL', nul], ['U+202E', bidi], ['too long', 't'.repeat(501)]],
  items: [['another host', [`${evil}/services/api/v1/layers/${layer.id}/`]], ['javascript:', ['javascript:alert(1)']], ['a number', [42]], ['url a number', [{ url: 42 }]], ['not an item', ['https://x/']], ['a string', 'x']],
  settings: [['a string', 'x'], ['too many', Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]))]],
  group: [['another host', `${evil}/services/api/v1/groups/${A}/`], ['zero', 0]],
});
fieldCases('sets', 'PUT', setVersion, { title: 'Edited set' }, { items: [['another host', [`${evil}/services/api/v1/layers/1/`]]], title: [['a number', 1]] });

// documents
fieldCases('documents', 'PUT', `documents/${w.document.id}/`, { description: 'd' }, {
  title: [['empty', ''], ['blank', '  '], ['a number', 42], ['NUL', nul], ['U+202E', bidi]],
  license: [['another host', `${evil}/services/api/v1/licenses/1/`], ['zero', 0]],
  tags: [['a number', [1]]],
});

function multipart(part: string, json: string | null, files: Array<[field: string, name: string, data: string]>): () => FormData {
  return () => {
    const form = new FormData();
    if (json !== null) form.append(part, json);
    for (const [field, name, data] of files) form.append(field, new Blob([data]), name);
    return form;
  };
}
for (const [family, path, part, file] of [
  ['sources', 'sources/', 'source', 'a.csv'],
  ['documents', 'documents/', 'document', 'a.txt'],
] as const) {
  const ok = JSON.stringify({ title: 'Upload', group: A });
  const uploads: Array<[string, () => FormData, string | undefined]> = [
    ['no JSON part', multipart(part, null, [['file0', file, 'id\n1\n']]), `multipart.${part}`],
    ['bad JSON', multipart(part, '{"title": ', [['file0', file, 'id\n1\n']]), `multipart.${part}`],
    ['JSON an array', multipart(part, '[]', [['file0', file, 'id\n1\n']]), `multipart.${part}`],
    ['unknown field', multipart(part, JSON.stringify({ title: 'x', colour: 1 }), [['file0', file, 'id\n1\n']]), `multipart.${part}`],
    ['group a string', multipart(part, JSON.stringify({ title: 'x', group: 'A' }), [['file0', file, 'id\n1\n']]), `multipart.${part}`],
    ['title NUL', multipart(part, JSON.stringify({ title: nul, group: A }), [['file0', file, 'id\n1\n']]), `multipart.${part}`],
    ['no file', multipart(part, ok, []), undefined],
    ['file name ../', multipart(part, ok, [['file0', '../../escape.csv', 'id\n1\n']]), undefined],
    ['file name absolute', multipart(part, ok, [['file0', '/etc/cron.d/x.csv', 'id\n1\n']]), undefined],
    ['file name NUL', multipart(part, ok, [['file0', `a${'\u0000'}b.csv`, 'id\n1\n']]), undefined],
    ['file name U+202E', multipart(part, ok, [['file0', `a${'\u202E'}vsc.exe`, 'id\n1\n']]), undefined],
    ['file name backslash', multipart(part, ok, [['file0', '..\\..\\x.csv', 'id\n1\n']]), undefined],
    ['unknown part', multipart(part, ok, [['evil', file, 'id\n1\n']]), 'multipart.evil'],
  ];
  for (const [label, form, loc] of uploads) add(family, { name: `POST ${path} ${label}`, method: 'POST', path, form, ...(loc && { loc }) });
  add(family,
    { name: `POST ${path} multipart without boundary`, method: 'POST', path, raw: `--x\r\nContent-Disposition: form-data; name="${part}"\r\n\r\n${ok}\r\n--x--\r\n`, headers: { 'content-type': 'multipart/form-data' }, loc: 'header.content-type' },
    { name: `POST ${path} JSON instead of multipart`, method: 'POST', path, body: { title: 'x' }, loc: 'header.content-type' },
    { name: `POST ${path} truncated multipart`, method: 'POST', path, raw: `--x\r\nContent-Disposition: form-data; name="${part}"\r\n\r\n${ok}`, headers: { 'content-type': 'multipart/form-data; boundary=x' } },
  );
}

// scans and datasources
add('scans',
  { name: 'POST scans/ on no source', method: 'POST', path: 'sources/999999/scans/', body: {} , status: [404] },
  { name: 'POST scans/ with an unknown field', method: 'POST', path: `sources/${w.source.id}/scans/`, body: { colour: 1 }, loc: 'body' },
  { name: 'GET scan of another source', method: 'GET', path: `sources/999999/scans/${w.source.scanId}/`, status: [404] },
);
add('datasources',
  { name: 'GET datasource of another source', method: 'GET', path: `sources/999999/datasources/${ds}/`, status: [404] },
  { name: 'GET datasource id 0', method: 'GET', path: `sources/${w.source.id}/datasources/0/`, loc: 'path.datasourceId' },
  { name: 'GET datasource id 1.0', method: 'GET', path: `sources/${w.source.id}/datasources/1.0/`, loc: 'path.datasourceId' },
);

// permissions
for (const item of [`layers/${layer.id}`, `tables/${w.table.id}`, `sets/${w.set.id}`, `documents/${w.document.id}`, `sources/${w.source.id}`]) {
  const family = 'permissions';
  const path = `${item}/permissions/`;
  fieldCases(family, 'POST', path, { group: A, permission: 'view' }, {
    permission: [['unknown', 'owner'], ['a number', 1], ['null', null]],
    group: [['another host', `${evil}/services/api/v1/groups/${A}/`], ['zero', 0], ['not a URL', 'abc'], ['no such group', 999_999]],
  }, ['permission']);
  add(family,
    { name: `POST ${path} both user and group`, method: 'POST', path, body: { user: w.by.noGroup!.userId, group: A, permission: 'view' }, loc: 'body' },
    { name: `POST ${path} user from another host`, method: 'POST', path, body: { user: `${evil}/services/api/v1/users/${w.by.noGroup!.userId}/`, permission: 'view' }, loc: 'body.user' },
    { name: `POST ${path} id not a principal`, method: 'POST', path, body: { id: 'root', permission: 'view' }, loc: 'body.id' },
    { name: `POST ${path} id user.abc`, method: 'POST', path, body: { id: 'user.abc', permission: 'view' }, loc: 'body.id' },
    { name: `POST ${path} everyone edit`, method: 'POST', path, body: { group: 'everyone', permission: 'edit' }, loc: 'body' },
    { name: `POST ${path} nobody`, method: 'POST', path, body: { permission: 'view' }, loc: 'body' },
    { name: `PUT ${path} not a list`, method: 'PUT', path, body: { group: A, permission: 'view' }, loc: 'body' },
    { name: `PUT ${path} both user and group`, method: 'PUT', path, body: [{ user: 1, group: A, permission: 'view' }], loc: 'body[0]' },
  );
}

// exports and validate
const exportBase = { crs: 'EPSG:4326', formats: { vector: 'application/x-ogc-gpkg' }, items: [{ item: layer.url }] };
const square = (coords: unknown[][]) => ({ type: 'Polygon', coordinates: [coords] });
const badExtents: Bad[] = [
  ['a Point', { type: 'Point', coordinates: [0, 0] }],
  ['no coordinates', { type: 'Polygon' }],
  ['coordinates a string', { type: 'Polygon', coordinates: 'x' }],
  ['an open ring', square([[0, 0], [1, 0], [1, 1]])],
  ['two points', square([[0, 0], [1, 1]])],
  ['out of range', square([[0, 0], [200, 0], [200, 100], [0, 0]])],
  ['a string coordinate', square([[0, 0], ['1', 0], [1, 1], [0, 0]])],
  ['a bow tie', square([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]])],
  ['too many vertices', square([...Array.from({ length: 1200 }, (_, i) => [Math.cos(i / 190) * 10, Math.sin(i / 190) * 10]), [10, 0]])],
  ['a Feature', { type: 'Feature', geometry: square([[0, 0], [1, 0], [1, 1], [0, 0]]) }],
  ['a crop feature of another host', `${evil}/services/api/v1/exports/croplayers/${w.cropLayer.id}/cropfeatures/${w.cropLayer.featureId}/`],
  ['no such crop feature', `${server.api}exports/croplayers/${w.cropLayer.id}/cropfeatures/999999/`],
  ['a number', 42],
];
for (const path of ['exports/', 'exports/validate/']) {
  fieldCases('exports', 'POST', path, exportBase, {
    crs: [...badCrs, ['EPSG:0', 'EPSG:0'], ['EPSG:-1', 'EPSG:-1']],
    formats: [['unknown format', { vector: 'application/x-evil' }], ['a string', 'gpkg'], ['unknown kind', { raster: 'image/tiff' }]],
    'items': [['empty', []], ['another host', [{ item: `${evil}/services/api/v1/layers/${layer.id}/` }]], ['javascript:', [{ item: 'javascript:alert(1)' }]], ['a number', [{ item: 1 }]], ['no such layer', [{ item: `${server.api}layers/999999/` }]]],
    extent: badExtents,
    options: [['unknown option', { explode: true }], ['a string', 'x']],
    name: [['a number', 42], ['NUL', nul], ['U+202E', bidi]],
  }, ['items', 'formats'], path.endsWith('validate/') ? { report: true } : {});
}

// croplayers
fieldCases('croplayers', 'POST', 'exports/croplayers/', { name: 'Crop', source_layer: layer.url }, {
  name: [['a number', 42], ['empty', ''], ['NUL', nul], ['U+202E', bidi]],
  source_layer: [['zero', 0], ['another host', `${evil}/services/api/v1/layers/${layer.id}/`], ['a table', w.table.url], ['not a URL', 'abc'], ['no such layer', 999_999]],
  name_field: [['no such field', 'nope'], ['a number', 1], ['empty', '']],
}, ['name', 'source_layer']);

// metadata uploads
const xml = (body: string): Case => ({ name: '', method: 'POST', path: `${layerVersion}metadata/`, raw: body, headers: { 'content-type': 'application/xml' } });
for (const [label, body] of [
  ['not XML', 'not xml at all'],
  ['empty', ''],
  ['an unknown root', '<foo/>'],
  ['truncated', '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd">'],
  ['an external entity', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><metadata><title>&e;</title></metadata>'],
  ['entity expansion', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "${'a'.repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><metadata><title>&c;&c;&c;</title></metadata>`],
  ['deep nesting', `${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`],
] as const) {
  add('metadata', { ...xml(body), name: `POST metadata ${label}`, loc: 'body' });
}
add('metadata', { name: 'POST metadata as JSON', method: 'POST', path: `${layerVersion}metadata/`, body: { title: 'x' }, loc: 'body' });

// bodies in general
for (const [path, family] of [['users/', 'users'], ['layers/', 'layers'], ['exports/', 'exports'], ['sets/', 'sets'], ['tokens/', 'tokens']] as const) {
  const json = { 'content-type': 'application/json' };
  add(family,
    { name: `POST ${path} bad JSON`, method: 'POST', path, raw: '{"title": ', headers: json, loc: 'body' },
    { name: `POST ${path} trailing comma`, method: 'POST', path, raw: '{"title": "x",}', headers: json, loc: 'body' },
    { name: `POST ${path} NaN`, method: 'POST', path, raw: 'NaN', headers: json, loc: 'body' },
    { name: `POST ${path} 20,000 nested arrays`, method: 'POST', path, raw: `${'['.repeat(20_000)}${']'.repeat(20_000)}`, headers: json, loc: 'body' },
    { name: `POST ${path} 20,000 nested objects`, method: 'POST', path, raw: `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`, headers: json, loc: 'body' },
    { name: `POST ${path} text/plain`, method: 'POST', path, raw: '{}', headers: { 'content-type': 'text/plain' }, loc: 'header.content-type' },
    { name: `POST ${path} form-urlencoded`, method: 'POST', path, raw: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, loc: 'header.content-type' },
    { name: `POST ${path} a bogus content type`, method: 'POST', path, raw: '{}', headers: { 'content-type': 'application/json-evil' }, loc: 'header.content-type' },
    { name: `POST ${path} a string body`, method: 'POST', path, body: 'x', loc: 'body' },
    { name: `POST ${path} a null body`, method: 'POST', path, raw: 'null', headers: json, loc: 'body' },
  );
}
add('exports', { name: 'POST exports/ extent nested 20,000 deep', method: 'POST', path: 'exports/', raw: `{"formats":{},"items":[],"extent":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`, headers: { 'content-type': 'application/json' }, loc: 'body' });
add('sets', { name: 'POST sets/ settings nested 20,000 deep', method: 'POST', path: 'sets/', raw: `{"title":"x","settings":{"s":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`, headers: { 'content-type': 'application/json' }, loc: 'body' });

// Authorization headers
for (const [label, header] of [
  ['Bearer', 'Bearer abc'],
  ['Basic', 'Basic dXNlcjpwYXNz'],
  ['key without a token', 'key'],
  ['key with two words', 'key a b'],
  ['a token of 600 characters', `key ${'k'.repeat(600)}`],
  ['a non-ASCII token', 'key t\u00e9st'],
  ['a bare token', adminToken],
] as const) {
  add('auth', { name: `GET users/ with Authorization ${label}`, method: 'GET', path: 'users/', token: null, headers: { authorization: header }, loc: 'header.authorization', status: [400, 401] });
}
add('auth',
  { name: 'GET users/ with an unknown token', method: 'GET', path: 'users/', token: 'msk_0000000000000000000000000000000000000000000', status: [401] },
  { name: 'GET layers/ with an unknown token', method: 'GET', path: 'layers/', token: 'nope-nope-nope', status: [401] },
);

// ---- Generic cases for every route in the OpenAPI document ------------------------------

const openapi = (await server.request('GET', `${v1}/openapi.json`, { token: null })).body as {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
};
const fill: Record<string, string> = {
  id: '1', versionId: '1', scanId: '1', datasourceId: '1', userId: String(w.by.viewer!.userId), fid: '1', principal: 'group.everyone', slug: 'cc-by', jurisdiction: 'international',
};
const concrete = (template: string, except?: string) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => (name === except ? `{${name}}` : fill[name] ?? '1')).replace(`${v1}/`, '');

const listRoutes: string[] = [];
for (const [template, ops] of Object.entries(openapi.paths)) {
  const get = ops.get;
  if (!get || !template.startsWith(`${v1}/`) || template.endsWith('openapi.json')) continue;
  const query = (get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  const pathParams = (get.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
  const family = `generic ${template.slice(v1.length + 1).split('/')[0]}`;
  if (query.includes('page_size')) {
    const path = concrete(template);
    listRoutes.push(path);
    const q = (qs: string, loc: string): Case => ({ name: `GET ${path}?${qs}`, method: 'GET', path: `${path}?${qs}`, loc });
    add(family,
      q('toString=1', 'query.toString'),
      q('__proto__=1', 'query.__proto__'),
      q('constructor=1', 'query.constructor'),
      q('hasOwnProperty.exact=1', 'query.hasOwnProperty.exact'),
      q('valueOf.gt=1', 'query.valueOf.gt'),
      q('sort=nope', 'query.sort'),
      q('sort=__proto__', 'query.sort'),
      q('sort=-', 'query.sort'),
      q('page=0', 'query.page'),
      q('page=-1', 'query.page'),
      q('page=0x1', 'query.page'),
      q('page=1.0', 'query.page'),
      q('page=%201', 'query.page'),
      q('page=1e0', 'query.page'),
      q('page=1&page=2', 'query.page'),
      q('page_size=0', 'query.page_size'),
      q('page_size=100000', 'query.page_size'),
      q('page_size=abc', 'query.page_size'),
      { name: `GET ${path} Expand: bogus`, method: 'GET', path, headers: { expand: 'bogus' }, loc: 'header.expand' },
      { name: `GET ${path} Expand: list,__proto__`, method: 'GET', path, headers: { expand: 'list,__proto__' }, loc: 'header.expand' },
    );
    // Each filter's type, refused when the value does not fit it.
    for (const name of query) {
      if (['page', 'page_size', 'sort'].includes(name)) continue;
      if (/(^|\.)(gt|gte|lt|lte)$/.test(name) || /(^|_)(at|joined)$/.test(name)) add(family, q(`${name}=yesterday`, `query.${name}`));
      if (/\.isnull$/.test(name)) add(family, q(`${name}=maybe`, `query.${name}`));
      if (/^(id|group|user|owner|member|license)$/.test(name)) add(family, q(`${name}=0x1`, `query.${name}`), q(`${name}=1.5`, `query.${name}`));
      if (/^is_|^public$/.test(name)) add(family, q(`${name}=maybe`, `query.${name}`));
      if (/^(state|status|type|kind|role|data_type)$/.test(name)) add(family, q(`${name}=__proto__`, `query.${name}`));
      if (/^bbox/.test(name)) {
        for (const bbox of ['1,2,3', '200,0,210,10', '10,10,0,0', 'a,b,c,d', 'NaN,0,1,1', 'Infinity,0,1,1', '1,2,3,4,5', '0x1,0,1,1']) add(family, q(`${name}=${encodeURIComponent(bbox)}`, `query.${name}`));
      }
    }
  }
  // Path ids that are not positive whole numbers in plain decimal.
  for (const param of pathParams.filter((p) => /^(id|versionId|scanId|datasourceId|userId|fid)$/.test(p))) {
    for (const bad of ['0', '-1', '0x1', '1.0', '%201', '1e0', 'abc', '2147483648', '99999999999999999999']) {
      const path = concrete(template, param).replace(`{${param}}`, bad);
      add(family, { name: `GET ${template.slice(v1.length)} ${param}=${bad}`, method: 'GET', path, loc: `path.${param}`, status: [400, 404] });
    }
  }
}

// ---- Running them ------------------------------------------------------------------------

interface Result {
  c: Case;
  status: number;
  text: string;
  body: any;
  problems: string[];
}

async function run(c: Case): Promise<Result> {
  const headers: Record<string, string> = { accept: 'application/json', ...c.headers };
  const token = c.token === undefined ? adminToken : c.token;
  if (token !== null) headers.authorization = `key ${token}`;
  let body: BodyInit | undefined;
  if (c.form) body = c.form();
  else if (c.raw !== undefined) body = c.raw;
  else if (c.body !== undefined) {
    body = JSON.stringify(c.body);
    headers['content-type'] ??= 'application/json';
  }
  const target = c.path.startsWith('/') ? `${server.url}${c.path}` : `${server.api}${c.path}`;
  let status = 0;
  let text = '';
  let parsed: any;
  const problems: string[] = [];
  try {
    const res = await fetch(target, { method: c.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    status = res.status;
    text = await res.text();
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  } catch (error) {
    problems.push(`no answer: ${(error as Error).message}`);
    return { c, status, text, body: parsed, problems };
  }
  const allowed = c.status ?? [];
  if (c.report && status === 200) {
    if (parsed?.is_valid !== false) problems.push('validate said the request is valid');
    else if (c.loc && !JSON.stringify(parsed.invalid_reasons ?? []).includes(c.loc.replace(/^body\./, '').split('.')[0]!)) {
      problems.push(`validate's reasons do not name ${c.loc}`);
    }
    return { c, status, text, body: parsed, problems };
  }
  if (status >= 500) problems.push('a 5xx');
  else if (status < 400) problems.push('accepted');
  else if (allowed.length && !allowed.includes(status)) problems.push(`expected ${allowed.join(' or ')}`);
  if (status >= 400) {
    if (typeof parsed?.detail !== 'string' || typeof parsed?.code !== 'string') problems.push('no JSON detail and code');
    else if (c.loc && status !== 404 && status !== 401) {
      const locations: string[] = (parsed.errors ?? []).map((e: { location: string }) => e.location);
      // A multipart part is named with or without the `multipart.` prefix (`multipart.source`, `source.title`).
      const strip = (l: string) => l.replace(/^multipart\./, '');
      const want = strip(c.loc);
      const names = (l: string) => ((s) => s === want || s.startsWith(`${want}.`) || s.startsWith(`${want}[`))(strip(l)) || l === c.loc || l.startsWith(`${c.loc}.`) || l.startsWith(`${c.loc}[`) || (c.loc!.startsWith(l) && l.length > 4 && l !== 'body');
      if (!locations.some(names)) problems.push(`errors[].location does not name ${c.loc} (${locations.join(', ') || 'none'})`);
    }
  }
  return { c, status, text, body: parsed, problems };
}

/** The data folder once background work started by a batch (scans, imports, exports) has settled. */
async function settledFiles(): Promise<string[]> {
  let last = listFiles(server.dataDir);
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = listFiles(server.dataDir);
    if (now.join('\n') === last.join('\n')) return now;
    last = now;
  }
  return last;
}

const allCases = [...families.values()].flat();
const failures: Result[] = [];

describe('bad input is refused with a 4xx that names the field', () => {
  it(`has at least 300 cases (has ${allCases.length})`, () => {
    assert.ok(allCases.length >= 300, String(allCases.length));
  });

  for (const [family, cases] of families) {
    it(`${family}: ${cases.length} cases`, async () => {
      const before = await settledFiles();
      const results = await pool(8, cases.map((c) => () => run(c)));
      const bad = results.filter((r) => r.problems.length > 0);
      failures.push(...bad);
      await assertHealthy(server);
      const files = await settledFiles();
      const added = files.filter((f) => !before.includes(f));
      const lines = bad.map((r) => `${r.c.name}: ${r.problems.join('; ')} — got ${r.status} ${r.text.slice(0, 200)}`);
      if (added.length) lines.push(`new files in the data folder: ${added.join(', ')}`);
      assert.deepEqual(lines, [], `${family}: ${bad.length} of ${cases.length} cases fail:\n${lines.join('\n')}`);
    });
  }

  after(() => {
    if (process.env.BAD_INPUT_REPORT) {
      const out = failures.map((r) => ({ name: r.c.name, problems: r.problems, status: r.status, text: r.text.slice(0, 400) }));
      writeFileSync(process.env.BAD_INPUT_REPORT, JSON.stringify(out, null, 1));
    }
  });
});

