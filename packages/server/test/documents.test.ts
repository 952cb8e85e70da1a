/**
 * Documents (`/documents/`), end to end over HTTP against a running server: multipart upload of
 * PDFs, images (PNG, JPEG, GIF, TIFF, WebP) and UTF-8 text, with the type sniffed from the content;
 * refused uploads (other content, malformed multipart, over the upload limit) that leave nothing
 * behind; listing and its filters; editing and deleting; downloads with Content-Disposition,
 * ETag, conditional requests and byte ranges; per-item permissions; documents in the catalog
 * (`/data/`, `/data/latest/`), their search and popularity; and who may do what (the matrix:
 * site admin, group A admin, group A viewer, group B editor, outsider, anonymous).
 *
 * Data: a raster burned from the packaged us-atlas states with gdal_rasterize, written as GeoTIFF,
 * PNG, JPEG, GIF, WebP and PDF by gdal_translate; a CSV of the states written by ogr2ogr; text and
 * Markdown written here. File bytes are compared by SHA-256 with what the server sends back.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';
import { buildZip, packagedData } from './helpers/uploads.js';

const scope = 'documents:read documents:write catalog users:read';

type Caller = 'site_admin' | 'a_admin' | 'a_viewer' | 'b_editor' | 'outsider' | 'anonymous';
const callers: Caller[] = ['site_admin', 'a_admin', 'a_viewer', 'b_editor', 'outsider', 'anonymous'];
type Member = Exclude<Caller, 'site_admin' | 'anonymous'>;

interface Doc {
  id: number;
  url: string;
  type: string;
  title: string;
  name: string;
  media_type: string;
  filename: string;
  size: number;
  checksum: string;
  download_url: string;
  permissions: string;
  group: { id: number; url: string };
  license: { id: number; url: string } | null;
  tags: string[];
  categories: string[];
  description: string;
  description_html: string;
  created_at: string;
  updated_at: string;
}

interface DocFile {
  /** The file name sent in the part's Content-Disposition. */
  name: string;
  data: Buffer;
  /** The multipart field name; file0 unless given. */
  field?: string;
  /** The Content-Type the client claims for the part. */
  type?: string;
}

interface UploadOptions {
  /** The `document` JSON part: an object (sent as JSON), raw text, or null to leave it out. */
  document?: Record<string, unknown> | string | null;
  token?: string | null;
  /** Extra text parts, sent after the `document` part. */
  fields?: Array<[string, string]>;
}

interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
  body: any;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function gdal(tool: string, args: string[]): void {
  execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function locations(res: { body: any }): string[] {
  return ((res.body?.errors ?? []) as Array<{ location: string }>).map((e) => e.location);
}

function assertError(res: { status: number; body: any; text?: string }, status: number, code: string, what: string): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text ?? JSON.stringify(res.body)}`);
  assert.equal(res.body?.code, code, `${what}: error code in ${res.text ?? JSON.stringify(res.body)}`);
}

/** A 400 whose errors name `location`, or a location under it. */
function assertBadRequest(res: { status: number; body: any; text?: string }, location: string, what: string): void {
  assert.equal(res.status, 400, `${what}: expected 400, got ${res.status} ${res.text ?? ''}`);
  assert.ok(
    locations(res).some((l) => l === location || l.startsWith(`${location}.`) || l.startsWith(`${location}[`)),
    `${what}: expected an error at ${location}, got ${res.text}`,
  );
}

const sortedIds = (ids: number[]) => [...ids].sort((a, b) => a - b);

/** The value of `filename*=UTF-8''…` in a Content-Disposition, still percent-encoded. */
function extendedFilename(header: string | null): string | undefined {
  return /filename\*=UTF-8''([^;\s]*)/i.exec(header ?? '')?.[1];
}

describe('documents', () => {
  let server: TestServer;
  let work: string;
  let groupA: number;
  let groupB: number;
  let groupEmpty: number;
  const users = {} as Record<Member, { id: number; token: string; url: string }>;
  /** a_admin's second token, with documents:read only. */
  let readOnlyToken: string;
  let ccBy: number;

  // Files, all small and real.
  const files = {} as Record<'pdf' | 'png' | 'jpeg' | 'gif' | 'tiff' | 'webp' | 'csv' | 'txt' | 'md' | 'longText', Buffer>;

  const tokenOf = (caller: Caller): string | null => {
    if (caller === 'site_admin') return adminToken;
    if (caller === 'anonymous') return null;
    return users[caller].token;
  };

  const call = (caller: Caller, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    server.request(method, path, { token: tokenOf(caller), headers, ...(body !== undefined && { body }) });

  /** POSTs a multipart upload to documents/ on `target` (the shared server unless given). */
  const upload = async (files: DocFile[], opts: UploadOptions = {}, target: TestServer = server): Promise<ApiResponse<any>> => {
    const form = new FormData();
    if (opts.document !== null) {
      const document = opts.document ?? {};
      form.append('document', typeof document === 'string' ? document : JSON.stringify(document));
    }
    for (const [name, value] of opts.fields ?? []) form.append(name, value);
    files.forEach((file, index) => {
      form.append(file.field ?? `file${index}`, new Blob([new Uint8Array(file.data)], file.type ? { type: file.type } : {}), file.name);
    });
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = opts.token === undefined ? adminToken : opts.token;
    if (token !== null) headers.authorization = `key ${token}`;
    const response = await fetch(`${target.api}documents/`, { method: 'POST', headers, body: form, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    const body = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, body, text };
  };

  /** Uploads as `caller` and expects 201. */
  const create = async (caller: Caller, file: DocFile, document: Record<string, unknown>): Promise<Doc> => {
    const res = await upload([file], { document, token: tokenOf(caller) });
    assert.equal(res.status, 201, `upload ${file.name} as ${caller}: ${res.status} ${res.text}`);
    return res.body as Doc;
  };

  /** GETs (or HEADs) a download as raw bytes. */
  const download = async (caller: Caller, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Download> => {
    const target = path.startsWith('http') ? path : `${server.api}${path}`;
    const token = tokenOf(caller);
    const response = await fetch(target, {
      method,
      headers: { ...headers, ...(token !== null && { authorization: `key ${token}` }) },
      redirect: 'manual',
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const body = (response.headers.get('content-type') ?? '').includes('json') && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { status: response.status, headers: response.headers, bytes, body };
  };

  /** What uploads leave on disk and in the database, to show a refused upload left nothing. */
  const snapshot = async (target: TestServer = server) => {
    const list = (sub: string) => (existsSync(join(target.dataDir, sub)) ? readdirSync(join(target.dataDir, sub)).sort() : []);
    const all = await target.request('GET', 'documents/?page_size=1');
    assert.equal(all.status, 200, all.text);
    return { documents: list('documents'), tmp: list('tmp'), total: all.headers.get('x-resource-range')?.split('/')[1] };
  };

  const assertNothingLeft = async (before: Awaited<ReturnType<typeof snapshot>>, what: string, target: TestServer = server) => {
    const now = await snapshot(target);
    assert.deepEqual(now.tmp, [], `${what}: tmp/ should be empty`);
    assert.deepEqual(now.documents, before.documents, `${what}: documents/ on disk`);
    assert.equal(now.total, before.total, `${what}: number of documents`);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-documents-'));
    const states = packagedData('us-atlas/states-10m.json');
    const tif = join(work, 'states.tif');
    gdal('gdal_rasterize', ['-q', '-burn', '200', '-ts', '240', '150', '-ot', 'Byte', '-of', 'GTiff', '-l', 'states', states, tif]);
    const out = (ext: string, format: string, extra: string[] = []) => {
      const path = join(work, `states.${ext}`);
      gdal('gdal_translate', ['-q', '-of', format, ...extra, tif, path]);
      return readFileSync(path);
    };
    files.tiff = readFileSync(tif);
    files.png = out('png', 'PNG');
    files.jpeg = out('jpg', 'JPEG');
    files.gif = out('gif', 'GIF');
    files.webp = out('webp', 'WEBP', ['-b', '1', '-b', '1', '-b', '1']);
    files.pdf = out('pdf', 'PDF');
    const csv = join(work, 'states.csv');
    gdal('ogr2ogr', ['-f', 'CSV', csv, states, 'states']);
    files.csv = readFileSync(csv);
    files.txt = Buffer.from('Feldnotizen: Brücke über die Weißach, 3 Pfeiler.\nSurvey notes, day 2.\n', 'utf8');
    files.md = Buffer.from('# Survey report\n\n- roads: *checked*\n- bridges: **pending**\n', 'utf8');
    // Over the 64 KiB the server samples, with a three-byte character cut at the sample's end.
    files.longText = Buffer.from(`${'€'.repeat(30_000)}\n`, 'utf8');
    assert.ok(files.pdf.subarray(0, 5).toString('latin1') === '%PDF-' && files.pdf.length > 1000, 'GDAL wrote a PDF');

    server = await startTestServer();
    const group = async (name: string) => {
      const res = await server.request('POST', 'groups/', { body: { name } });
      assert.equal(res.status, 201, res.text);
      return res.body.id as number;
    };
    groupA = await group('Group A');
    groupB = await group('Group B');
    groupEmpty = await group('Nobody here');
    for (const name of ['a_admin', 'a_viewer', 'b_editor', 'outsider'] as const) users[name] = await createUserWithToken(server, name, scope);
    for (const [g, user, role] of [
      [groupA, users.a_admin.id, 'admin'],
      [groupA, users.a_viewer.id, 'viewer'],
      [groupB, users.b_editor.id, 'editor'],
    ] as const) {
      const member = await server.request('POST', `groups/${g}/members/`, { body: { user, role } });
      assert.equal(member.status, 201, member.text);
    }
    const token = await server.request('POST', 'tokens/', { body: { name: 'read only', scope: 'documents:read', user: users.a_admin.id } });
    assert.equal(token.status, 201, token.text);
    readOnlyToken = token.body.key;
    const licenses = await server.request('GET', 'licenses/?type=cc-by');
    assert.equal(licenses.status, 200, licenses.text);
    ccBy = licenses.body[0].id;
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('uploading', () => {
    it('creates a document from a PDF: 201, Location, the full body, and the file stored byte for byte', async () => {
      const res = await upload([{ name: 'survey-2024.pdf', data: files.pdf }], {
        document: {
          title: 'Road survey 2024',
          description: 'Condition of the state roads.\n\nSecond paragraph.',
          tags: ['roads', 'survey'],
          categories: ['transport'],
          license: ccBy,
          group: groupA,
        },
        token: users.a_admin.token,
      });
      assert.equal(res.status, 201, res.text);
      const doc = res.body as Doc;
      const url = `${server.api}documents/${doc.id}/`;
      assert.equal(res.headers.get('location'), url);
      assert.ok(Number.isInteger(doc.id) && doc.id > 0);
      assert.equal(doc.url, url);
      assert.equal(doc.type, 'document');
      assert.equal(doc.title, 'Road survey 2024');
      assert.equal(doc.name, 'Road survey 2024');
      assert.equal(doc.media_type, 'application/pdf');
      assert.equal(doc.filename, 'survey-2024.pdf');
      assert.equal(doc.size, files.pdf.length);
      assert.equal(doc.checksum, `sha256:${sha256(files.pdf)}`);
      assert.equal(doc.download_url, `${url}download/`);
      assert.equal(doc.permissions, `${url}permissions/`);
      assert.deepEqual(doc.group, { id: groupA, url: `${server.api}groups/${groupA}/` });
      assert.deepEqual(doc.license, { id: ccBy, url: `${server.api}licenses/${ccBy}/` });
      assert.deepEqual(doc.tags, ['roads', 'survey']);
      assert.deepEqual(doc.categories, ['transport']);
      assert.equal(doc.description, 'Condition of the state roads.\n\nSecond paragraph.');
      assert.match(doc.description_html, /<p>Condition of the state roads\.<\/p>/);
      assert.ok(!Number.isNaN(Date.parse(doc.created_at)), doc.created_at);

      const stored = join(server.dataDir, 'documents', String(doc.id), 'file');
      assert.equal(sha256(readFileSync(stored)), sha256(files.pdf), 'the stored file is the uploaded one');
      assert.deepEqual(readdirSync(join(server.dataDir, 'tmp')), [], 'the staging folder is gone');

      const again = await call('a_admin', 'GET', `documents/${doc.id}/`);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual({ ...again.body, updated_at: doc.updated_at }, doc, 'GET answers what POST did');
    });

    it('sniffs the type from the content, not the name or the claimed Content-Type', async () => {
      const cases: Array<[keyof typeof files, string, string, string?]> = [
        ['pdf', 'report.pdf', 'application/pdf'],
        ['png', 'map.png', 'image/png'],
        ['jpeg', 'photo.jpg', 'image/jpeg'],
        ['gif', 'anim.gif', 'image/gif'],
        ['tiff', 'scan.tif', 'image/tiff'],
        ['webp', 'thumb.webp', 'image/webp'],
        ['txt', 'notes.txt', 'text/plain'],
        ['csv', 'states.csv', 'text/csv'],
        ['csv', 'STATES.CSV', 'text/csv'],
        ['md', 'README.md', 'text/markdown'],
        ['md', 'notes.markdown', 'text/markdown'],
        ['longText', 'long.txt', 'text/plain'],
        // Misleading names and claimed types: the content decides.
        ['png', 'not-a-pdf.pdf', 'image/png', 'application/pdf'],
        ['pdf', 'really-a-pdf.png', 'application/pdf', 'image/png'],
        ['txt', 'plain.jpg', 'text/plain', 'image/jpeg'],
        ['csv', 'no-extension', 'text/plain'],
      ];
      for (const [kind, name, mediaType, claimed] of cases) {
        const doc = await create('a_admin', { name, data: files[kind], ...(claimed && { type: claimed }) }, { group: groupA, tags: ['formats'] });
        assert.equal(doc.media_type, mediaType, `${name} (${kind})`);
        assert.equal(doc.size, files[kind].length, `${name}: size`);
        assert.equal(doc.checksum, `sha256:${sha256(files[kind])}`, `${name}: checksum`);
        const got = await download('a_admin', doc.download_url);
        assert.equal(got.status, 200, `${name}: download`);
        assert.equal(got.headers.get('content-type')?.split(';')[0], mediaType, `${name}: Content-Type`);
        assert.equal(sha256(got.bytes), sha256(files[kind]), `${name}: downloaded bytes`);
      }
    });

    it('defaults the title to the file name without its extension, and takes `name` for the title', async () => {
      const untitled = await create('a_admin', { name: 'Bericht über Straßen.pdf', data: files.pdf }, { group: groupA });
      assert.equal(untitled.title, 'Bericht über Straßen');
      assert.equal(untitled.filename, 'Bericht über Straßen.pdf', 'a non-ASCII file name arrives intact');
      const blank = await create('a_admin', { name: 'field-notes.txt', data: files.txt }, { group: groupA, title: '   ' });
      assert.equal(blank.title, 'field-notes', 'a blank title counts as none');
      const noExt = await create('a_admin', { name: 'LICENCE', data: files.txt }, { group: groupA });
      assert.equal(noExt.title, 'LICENCE');
      const named = await create('a_admin', { name: 'x.txt', data: files.txt }, { group: groupA, name: 'Named by the old client' });
      assert.equal(named.title, 'Named by the old client');
      assert.equal(named.name, 'Named by the old client');
      const trimmed = await create('a_admin', { name: 'x.txt', data: files.txt }, { group: groupA, title: '  Padded  ' });
      assert.equal(trimmed.title, 'Padded');
    });

    it('accepts the file part as `file` as well as `file0`, the group as {id}, and the license as a URL or null', async () => {
      const asFile = await create('a_admin', { name: 'a.txt', data: files.txt, field: 'file' }, { group: { id: groupA } });
      assert.equal(asFile.group.id, groupA);
      assert.equal(asFile.media_type, 'text/plain');
      const byUrl = await create('a_admin', { name: 'b.txt', data: files.txt }, { group: groupA, license: `${server.api}licenses/${ccBy}/` });
      assert.equal(byUrl.license?.id, ccBy);
      const none = await create('a_admin', { name: 'c.txt', data: files.txt }, { group: groupA, license: null });
      assert.equal(none.license, null);
      const defaults = await create('a_admin', { name: 'd.txt', data: files.txt }, { group: groupA });
      assert.deepEqual([defaults.description, defaults.tags, defaults.categories, defaults.license], ['', [], [], null]);
    });

    it('puts a document in the caller\'s first group they edit when no group is given', async () => {
      const b = await create('b_editor', { name: 'b.txt', data: files.txt }, {});
      assert.equal(b.group.id, groupB);
      const a = await create('a_admin', { name: 'a.txt', data: files.txt }, {});
      assert.equal(a.group.id, groupA);
    });

    it('accepts UTF-8 text over 64 KiB whatever character the sniffing sample ends in', async () => {
      // Sniffing reads the first 65536 bytes and decodes all but the last 4. After one ASCII byte,
      // two-byte characters start at odd offsets, so one spans offsets 65531-65532: the decoded part
      // ends half-way through it.
      const text = Buffer.from(`a${'ü'.repeat(40_000)}\n`, 'utf8');
      const before = await snapshot();
      const res = await upload([{ name: 'umlauts.txt', data: text }], { document: { group: groupA }, token: users.a_admin.token });
      if (res.status !== 201) await assertNothingLeft(before, 'refused long text');
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.media_type, 'text/plain');
      assert.equal(res.body.checksum, `sha256:${sha256(text)}`);
    });

    it('refuses content that is not a PDF, an image or UTF-8 text with 415, leaving nothing behind', async () => {
      const zip = await buildZip([{ name: 'inside.txt', data: files.txt }]);
      const random = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256));
      const refused: Array<[string, DocFile]> = [
        ['a zip', { name: 'bundle.zip', data: zip }],
        ['a zip named .pdf', { name: 'bundle.pdf', data: zip, type: 'application/pdf' }],
        ['binary noise', { name: 'noise.bin', data: random }],
        ['text with a NUL byte', { name: 'nul.txt', data: Buffer.concat([Buffer.from('hello'), Buffer.from([0]), Buffer.from('world')]) }],
        ['Latin-1 text (not UTF-8)', { name: 'latin1.txt', data: Buffer.from('Straße über Brücke\n', 'latin1') }],
        ['a GeoPackage-like SQLite header', { name: 'data.gpkg', data: Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(100)]) }],
        ['UTF-16 text', { name: 'utf16.txt', data: Buffer.from('\ufeffhello world', 'utf16le') }],
      ];
      for (const [what, file] of refused) {
        const before = await snapshot();
        const res = await upload([file], { document: { group: groupA, title: what }, token: users.a_admin.token });
        assertError(res, 415, 'unsupported_media_type', what);
        assert.match(res.body.detail, /not a PDF, an image/, what);
        await assertNothingLeft(before, what);
      }
    });

    it('refuses malformed multipart uploads with 400 at the right location, leaving nothing behind', async () => {
      const txt: DocFile = { name: 'a.txt', data: files.txt };
      const before = await snapshot();

      const noDocument = await upload([txt], { document: null });
      assertBadRequest(noDocument, 'multipart.document', 'no document part');

      const badJson = await upload([txt], { document: '{"title": ' });
      assertError(badJson, 400, 'invalid_json', 'bad JSON');
      assert.ok(locations(badJson).includes('multipart.document'), badJson.text);

      const unknown = await upload([txt], { document: { group: groupA, bogus: 1 } });
      assertError(unknown, 400, 'invalid_body', 'unknown field');
      assertBadRequest(unknown, 'document.bogus', 'unknown field');

      const wrongType = await upload([txt], { document: { group: groupA, tags: 'roads' } });
      assertBadRequest(wrongType, 'document.tags', 'tags as a string');

      const noFile = await upload([], { document: { group: groupA } });
      assertBadRequest(noFile, 'multipart.file0', 'no file');

      const twoFiles = await upload([txt, { name: 'b.txt', data: files.txt }], { document: { group: groupA } });
      assertBadRequest(twoFiles, 'multipart.file1', 'two files');

      const otherPart = await upload([txt], { document: { group: groupA }, fields: [['metadata', '{}']] });
      assertBadRequest(otherPart, 'multipart.metadata', 'an unknown text part');

      const badField = await upload([{ ...txt, field: 'attachment' }], { document: { group: groupA } });
      assertBadRequest(badField, 'multipart.attachment', 'a file part with another name');

      const noGroup = await upload([txt], { document: { group: 999_999 } });
      assertBadRequest(noGroup, 'document.group', 'a group that does not exist');

      const noLicense = await upload([txt], { document: { group: groupA, license: 999_999 } });
      assertBadRequest(noLicense, 'document.license', 'a license that does not exist');

      const escape = await upload([{ name: '../../escape.txt', data: files.txt }], { document: { group: groupA } });
      assertBadRequest(escape, 'multipart.file0', 'a file name with ../');

      await assertNothingLeft(before, 'malformed multipart');
      assert.ok(!existsSync(join(server.dataDir, 'escape.txt')) && !existsSync(join(server.dataDir, '..', 'escape.txt')));

      const json = await server.request('POST', 'documents/', { body: { title: 'JSON is not an upload', group: groupA } });
      assertError(json, 415, 'unsupported_media_type', 'a JSON body');
      await assertNothingLeft(before, 'JSON body');

      // The server still answers after all that.
      const list = await server.request('GET', 'documents/');
      assert.equal(list.status, 200, list.text);
    });

    it('refuses a license URL that names no license with 400, leaving nothing behind', async () => {
      const before = await snapshot();
      const res = await upload([{ name: 'a.txt', data: files.txt }], { document: { group: groupA, license: 'https://example.org/not-a-license' } });
      assertBadRequest(res, 'document.license', 'a URL that is not a license');
      try {
        await assertNothingLeft(before, 'a license URL that names no license');
      } finally {
        // Clear the leftover so later tests see an empty tmp/ (on the server side, only a restart would).
        for (const leftover of (await snapshot()).tmp) rmSync(join(server.dataDir, 'tmp', leftover), { recursive: true, force: true });
      }
    });

    it('needs editor or admin in the target group to create a document', async () => {
      const txt: DocFile = { name: 'who.txt', data: files.txt };
      const before = await snapshot();
      const cases: Array<[string, string | null, Record<string, unknown>, number, string, string?]> = [
        ['group A viewer naming group A', users.a_viewer.token, { group: groupA }, 403, 'forbidden'],
        ['group A viewer naming no group', users.a_viewer.token, {}, 400, 'invalid_parameter', 'document.group'],
        ['group B editor naming group A', users.b_editor.token, { group: groupA }, 403, 'forbidden'],
        ['outsider naming group A', users.outsider.token, { group: groupA }, 403, 'forbidden'],
        ['outsider naming a group with no members', users.outsider.token, { group: groupEmpty }, 403, 'forbidden'],
        ['outsider naming no group', users.outsider.token, {}, 400, 'invalid_parameter', 'document.group'],
        ['anonymous', null, { group: groupA }, 401, 'authentication_required'],
        ['a token without documents:write', readOnlyToken, { group: groupA }, 403, 'invalid_token_scope'],
      ];
      for (const [what, token, document, status, code, location] of cases) {
        const res = await upload([txt], { document, token });
        assertError(res, status, code, what);
        if (location) assert.ok(locations(res).includes(location), `${what}: ${res.text}`);
      }
      await assertNothingLeft(before, 'refused creators');

      const site = await create('site_admin', txt, { group: groupEmpty });
      assert.equal(site.group.id, groupEmpty, 'a site admin may add to any group');
      const editor = await create('b_editor', txt, { group: groupB });
      assert.equal(editor.group.id, groupB);
      const admin = await create('a_admin', txt, { group: groupA });
      assert.equal(admin.group.id, groupA);
    });

    it('answers 413 past the upload limit, leaving nothing behind; under it is fine', async () => {
      const small = await startTestServer({ uploadLimit: '4kb' });
      try {
        const before = await snapshot(small);
        const big = await upload([{ name: 'big.txt', data: Buffer.alloc(16 * 1024, 'x') }], { document: { title: 'Too big' } }, small);
        assertError(big, 413, 'body_too_large', 'over the limit');
        await assertNothingLeft(before, 'over the limit', small);
        const pdf = await upload([{ name: 'big.pdf', data: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(8 * 1024, 'y')]) }], { document: { title: 'Big PDF' } }, small);
        assertError(pdf, 413, 'body_too_large', 'a PDF over the limit');
        await assertNothingLeft(before, 'a PDF over the limit', small);

        // The site admin of a fresh server is in no group: it names one.
        const g = await small.request('POST', 'groups/', { body: { name: 'G' } });
        assert.equal(g.status, 201, g.text);
        const ok = await upload([{ name: 'small.txt', data: Buffer.alloc(3 * 1024, 'x') }], { document: { group: g.body.id } }, small);
        assert.equal(ok.status, 201, ok.text);
        assert.equal(ok.body.size, 3 * 1024);
      } finally {
        small.running.app.server.closeAllConnections();
        await small.close();
      }
    });
  });

  describe('downloading', () => {
    let report: Doc; // "Bericht über Straßen.pdf", group A
    let long: Doc; // over 64 KiB of text
    let size: number;

    before(async () => {
      report = await create('a_admin', { name: 'Bericht über Straßen.pdf', data: files.pdf }, { group: groupA, title: 'Straßenbericht' });
      long = await create('a_admin', { name: 'long.txt', data: files.longText }, { group: groupA });
      size = files.pdf.length;
    });

    it('sends the file with Content-Length, ETag, Content-Disposition, nosniff, its type and Accept-Ranges', async () => {
      const got = await download('a_admin', report.download_url);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-length'), String(size));
      assert.equal(got.headers.get('etag'), `"${sha256(files.pdf)}"`);
      assert.equal(got.headers.get('content-type'), 'application/pdf');
      assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(got.headers.get('accept-ranges'), 'bytes');
      assert.equal(
        got.headers.get('content-disposition'),
        `attachment; filename="Bericht _ber Stra_en.pdf"; filename*=UTF-8''Bericht%20%C3%BCber%20Stra%C3%9Fen.pdf`,
      );
      assert.equal(decodeURIComponent(extendedFilename(got.headers.get('content-disposition'))!), 'Bericht über Straßen.pdf');
      assert.equal(sha256(got.bytes), sha256(files.pdf), 'the bytes downloaded are the bytes uploaded');
      assert.equal(`sha256:${sha256(got.bytes)}`, report.checksum);
    });

    it('answers HEAD with the download\'s headers and no body', async () => {
      const head = await download('a_admin', report.download_url, {}, 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.bytes.length, 0);
      assert.equal(head.headers.get('etag'), `"${sha256(files.pdf)}"`);
      assert.equal(head.headers.get('content-type'), 'application/pdf');
      assert.match(head.headers.get('content-disposition') ?? '', /^attachment; /);
      const range = await download('a_admin', report.download_url, { range: 'bytes=0-99' }, 'HEAD');
      assert.equal(range.status, 206);
      assert.equal(range.headers.get('content-range'), `bytes 0-99/${size}`);
      assert.equal(range.bytes.length, 0);
    });

    it('answers HEAD with the Content-Length a GET would send', async () => {
      const head = await download('a_admin', report.download_url, {}, 'HEAD');
      assert.equal(head.headers.get('content-length'), String(size), 'HEAD of the whole file');
      const range = await download('a_admin', report.download_url, { range: 'bytes=0-99' }, 'HEAD');
      assert.equal(range.headers.get('content-length'), '100', 'HEAD of a range');
    });

    it('keeps the filename* value to the characters RFC 8187 allows (apostrophes and parentheses encoded)', async () => {
      const doc = await create('a_admin', { name: "O'Neil (Entwurf).txt", data: files.txt }, { group: groupA });
      const got = await download('a_admin', doc.download_url);
      assert.equal(got.status, 200);
      const value = extendedFilename(got.headers.get('content-disposition'));
      assert.ok(value !== undefined, got.headers.get('content-disposition') ?? '');
      // attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~", plus pct-encoded.
      assert.match(value, /^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})*$/, `filename* value ${value}`);
      assert.equal(decodeURIComponent(value), "O'Neil (Entwurf).txt");
    });

    it('answers a byte range with 206 and exactly those bytes', async () => {
      const ranges: Array<[string, number, number]> = [
        ['bytes=0-99', 0, 99],
        ['bytes=100-199', 100, 199],
        ['bytes=500-', 500, size - 1],
        ['bytes=-64', size - 64, size - 1],
        [`bytes=-${size + 1000}`, 0, size - 1],
        [`bytes=10-${size + 1000}`, 10, size - 1],
        [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
      ];
      for (const [range, start, end] of ranges) {
        const got = await download('a_admin', report.download_url, { range });
        assert.equal(got.status, 206, `${range}: ${got.status}`);
        assert.equal(got.headers.get('content-range'), `bytes ${start}-${end}/${size}`, range);
        assert.equal(got.headers.get('content-length'), String(end - start + 1), range);
        assert.equal(got.headers.get('etag'), `"${sha256(files.pdf)}"`, range);
        assert.ok(got.bytes.equals(files.pdf.subarray(start, end + 1)), `${range}: the bytes`);
      }
      // Resuming in pieces gives the whole file.
      const pieces: Buffer[] = [];
      for (let at = 0; at < size; at += 700) {
        const got = await download('a_admin', report.download_url, { range: `bytes=${at}-${Math.min(at + 699, size - 1)}` });
        assert.equal(got.status, 206);
        pieces.push(got.bytes);
      }
      assert.equal(sha256(Buffer.concat(pieces)), sha256(files.pdf), 'the pieces make the file');

      // Text files over the sniffing sample download the same way.
      const tail = await download('a_admin', long.download_url, { range: 'bytes=-10' });
      assert.equal(tail.status, 206);
      assert.ok(tail.bytes.equals(files.longText.subarray(files.longText.length - 10)));
      const whole = await download('a_admin', long.download_url);
      assert.equal(sha256(whole.bytes), sha256(files.longText));
    });

    it('answers a range outside the file with 416 and Content-Range bytes */size', async () => {
      for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=-0']) {
        const got = await download('a_admin', report.download_url, { range });
        assert.equal(got.status, 416, `${range}: ${got.status} ${got.bytes.toString()}`);
        assert.equal(got.headers.get('content-range'), `bytes */${size}`, range);
        assert.equal(got.body?.code, 'range_not_satisfiable', range);
      }
    });

    it('sends the whole file for a Range it does not serve (several ranges, another unit, garbage)', async () => {
      for (const range of ['bytes=0-1,5-6', 'items=0-5', 'bytes=abc', 'bytes=-']) {
        const got = await download('a_admin', report.download_url, { range });
        assert.equal(got.status, 200, range);
        assert.equal(sha256(got.bytes), sha256(files.pdf), range);
      }
    });

    it('answers If-None-Match with the ETag with 304, and honours If-Range', async () => {
      const etag = `"${sha256(files.pdf)}"`;
      const notModified = await download('a_admin', report.download_url, { 'if-none-match': etag });
      assert.equal(notModified.status, 304);
      assert.equal(notModified.bytes.length, 0);
      assert.equal(notModified.headers.get('etag'), etag);

      const changed = await download('a_admin', report.download_url, { 'if-none-match': '"0000"' });
      assert.equal(changed.status, 200);
      assert.equal(sha256(changed.bytes), sha256(files.pdf));

      const stale = await download('a_admin', report.download_url, { range: 'bytes=0-9', 'if-range': '"some-older-version"' });
      assert.equal(stale.status, 200, 'If-Range with another ETag gets the whole file');
      assert.equal(sha256(stale.bytes), sha256(files.pdf));
      assert.equal(stale.headers.get('content-range'), null);

      const fresh = await download('a_admin', report.download_url, { range: 'bytes=0-9', 'if-range': etag });
      assert.equal(fresh.status, 206);
      assert.ok(fresh.bytes.equals(files.pdf.subarray(0, 10)));

      // Only the download level counts: a conditional request does not reveal a hidden file.
      const hidden = await download('outsider', report.download_url, { 'if-none-match': etag });
      assertError({ status: hidden.status, body: hidden.body }, 404, 'not_found', 'outsider with If-None-Match');
      const viewer = await download('a_viewer', report.download_url, { 'if-none-match': etag });
      assertError({ status: viewer.status, body: viewer.body }, 403, 'forbidden', 'viewer with If-None-Match');
    });

    it('answers 304 to If-None-Match lists, weak tags and * that match (RFC 9110 weak comparison)', async () => {
      const etag = `"${sha256(files.pdf)}"`;
      for (const header of [`"0000", ${etag}`, `W/${etag}`, '*']) {
        const got = await download('a_admin', report.download_url, { 'if-none-match': header });
        assert.equal(got.status, 304, `If-None-Match: ${header}`);
      }
    });

    it('keeps the ETag and the file when only the metadata changes', async () => {
      const put = await call('a_admin', 'PUT', `documents/${report.id}/`, { title: 'Straßenbericht (final)' });
      assert.equal(put.status, 200, put.text);
      const got = await download('a_admin', report.download_url);
      assert.equal(got.headers.get('etag'), `"${sha256(files.pdf)}"`);
      assert.equal(sha256(got.bytes), sha256(files.pdf));
      assert.equal(decodeURIComponent(extendedFilename(got.headers.get('content-disposition'))!), 'Bericht über Straßen.pdf', 'the file name stays');
    });
  });

  describe('listing', () => {
    let pdf: Doc;
    let png: Doc;
    let jpeg: Doc;
    let csv: Doc;
    let inB: Doc;
    let between: string;

    before(async () => {
      const document = (title: string, extra: Record<string, unknown> = {}) => ({ group: groupA, title, tags: ['listing'], ...extra });
      pdf = await create('a_admin', { name: 'harbour.pdf', data: files.pdf }, document('Harbour plan', { tags: ['listing', 'coast'], categories: ['planning'] }));
      png = await create('a_admin', { name: 'harbour.png', data: files.png }, document('Harbour photo', { categories: ['imagery'] }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      between = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      jpeg = await create('a_admin', { name: 'bridge.jpg', data: files.jpeg }, document('Bridge photo', { tags: ['listing', 'coast'], categories: ['imagery'] }));
      csv = await create('a_admin', { name: 'counts.csv', data: files.csv }, document('Traffic counts'));
      inB = await create('b_editor', { name: 'b.pdf', data: files.pdf }, { group: groupB, title: 'Harbour B', tags: ['listing'] });
    });

    /** Ids listed for `query`, among this block's documents (tagged `listing`) unless `query` filters by tag itself. */
    const ids = async (query: string, caller: Caller = 'site_admin'): Promise<number[]> => {
      // Repeating a filter ORs its values, so a tag filter replaces the `listing` one.
      const base = /(^|&)tag=/.test(query) ? '' : 'tag=listing';
      const res = await call(caller, 'GET', `documents/?${[base, query].filter(Boolean).join('&')}`);
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      assert.ok(Array.isArray(res.body), res.text);
      const total = Number(res.headers.get('x-resource-range')?.split('/')[1]);
      assert.equal(total, res.body.length, `${query}: X-Resource-Range counts the rows`);
      return (res.body as Array<{ id: number }>).map((d) => d.id);
    };

    it('lists summaries, newest first, with the usual paging headers', async () => {
      const res = await call('site_admin', 'GET', 'documents/?tag=listing');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.map((d: Doc) => d.id), [inB.id, csv.id, jpeg.id, png.id, pdf.id]);
      assert.equal(res.headers.get('x-resource-range'), '0-5/5');
      const first = res.body[0];
      assert.deepEqual(Object.keys(first).sort(), ['created_at', 'id', 'media_type', 'name', 'title', 'type', 'url']);
      assert.deepEqual(first, { id: inB.id, url: inB.url, type: 'document', title: 'Harbour B', name: 'Harbour B', media_type: 'application/pdf', created_at: inB.created_at });

      const paged = await call('site_admin', 'GET', 'documents/?tag=listing&page_size=2&page=2');
      assert.equal(paged.status, 200, paged.text);
      assert.deepEqual(paged.body.map((d: Doc) => d.id), [jpeg.id, png.id]);
      assert.equal(paged.headers.get('x-resource-range'), '2-4/5');

      const expanded = await server.request('GET', 'documents/?tag=listing&group=' + groupA, { headers: { expand: 'list' } });
      assert.equal(expanded.status, 200, expanded.text);
      const full = expanded.body.find((d: Doc) => d.id === pdf.id);
      assert.equal(full.filename, 'harbour.pdf');
      assert.equal(full.checksum, pdf.checksum);
      assert.equal(full.download_url, pdf.download_url);
    });

    it('filters by title, group, media type, tag, category and creation time', async () => {
      assert.deepEqual(sortedIds(await ids('title.icontains=harbour')), sortedIds([pdf.id, png.id, inB.id]));
      assert.deepEqual(await ids('title.startswith=Bridge'), [jpeg.id]);
      assert.deepEqual(await ids('title.iexact=traffic%20counts'), [csv.id]);
      assert.deepEqual(await ids('name.icontains=photo&sort=id'), [png.id, jpeg.id]);
      assert.deepEqual(await ids(`group=${groupB}`), [inB.id]);
      assert.deepEqual(sortedIds(await ids('media_type=application/pdf')), sortedIds([pdf.id, inB.id]));
      assert.deepEqual(sortedIds(await ids('media_type.startswith=image/')), sortedIds([png.id, jpeg.id]));
      assert.deepEqual(await ids('media_type.startswith=text/'), [csv.id]);
      assert.deepEqual(sortedIds(await ids('tag=coast')), sortedIds([pdf.id, jpeg.id]));
      assert.deepEqual(sortedIds(await ids('tag=coast&media_type=image/jpeg')), [jpeg.id]);
      assert.deepEqual(sortedIds(await ids('category=imagery')), sortedIds([png.id, jpeg.id]));
      assert.deepEqual(await ids('category=planning'), [pdf.id]);
      assert.deepEqual(sortedIds(await ids(`created_at.gte=${encodeURIComponent(between)}`)), sortedIds([jpeg.id, csv.id, inB.id]));
      assert.deepEqual(sortedIds(await ids(`created_at.lt=${encodeURIComponent(between)}`)), sortedIds([pdf.id, png.id]));
      assert.deepEqual(await ids(`id=${csv.id}`), [csv.id]);
      assert.deepEqual(await ids('sort=title'), [jpeg.id, inB.id, png.id, pdf.id, csv.id]);
      // What the caller may not see is neither listed nor counted.
      assert.deepEqual(await ids('title.icontains=harbour&sort=id', 'a_viewer'), [pdf.id, png.id]);
      assert.deepEqual(await ids('', 'b_editor'), [inB.id]);
    });

    it('refuses unknown filters and sorts', async () => {
      const filter = await server.request('GET', 'documents/?filename=harbour.pdf');
      assertError(filter, 400, 'unknown_filter', 'filename filter');
      const sort = await server.request('GET', 'documents/?sort=size');
      assertError(sort, 400, 'unknown_sort', 'sort by size');
      const lookup = await server.request('GET', 'documents/?media_type.icontains=pdf');
      assertError(lookup, 400, 'unknown_filter', 'media_type.icontains');
    });
  });

  describe('editing and deleting', () => {
    it('edits title, description, tags, categories and license; the file stays', async () => {
      const doc = await create('a_admin', { name: 'draft.pdf', data: files.pdf }, { group: groupA, title: 'Draft zoning', tags: ['old'] });
      await new Promise((resolve) => setTimeout(resolve, 10));
      const put = await call('a_admin', 'PUT', `documents/${doc.id}/`, {
        title: 'Zoning plan',
        description: 'Adopted in March.',
        tags: ['zoning', 'adopted'],
        categories: ['planning'],
        license: ccBy,
      });
      assert.equal(put.status, 200, put.text);
      const edited = put.body as Doc;
      assert.equal(edited.title, 'Zoning plan');
      assert.equal(edited.description, 'Adopted in March.');
      assert.deepEqual(edited.tags, ['zoning', 'adopted']);
      assert.deepEqual(edited.categories, ['planning']);
      assert.deepEqual(edited.license, { id: ccBy, url: `${server.api}licenses/${ccBy}/` });
      assert.ok(edited.updated_at > doc.updated_at, `${edited.updated_at} after ${doc.updated_at}`);
      assert.equal(edited.created_at, doc.created_at);
      for (const key of ['filename', 'size', 'checksum', 'media_type', 'group', 'download_url'] as const) assert.deepEqual(edited[key], doc[key], key);

      const byName = await call('a_admin', 'PUT', `documents/${doc.id}/`, { name: 'Zoning plan 2', license: `${server.api}licenses/${ccBy}/` });
      assert.equal(byName.status, 200, byName.text);
      assert.equal(byName.body.title, 'Zoning plan 2');
      assert.equal(byName.body.license.id, ccBy);
      assert.deepEqual(byName.body.tags, ['zoning', 'adopted'], 'fields left out stay');
      const cleared = await call('a_admin', 'PUT', `documents/${doc.id}/`, { license: null, tags: [] });
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal(cleared.body.license, null);
      assert.deepEqual(cleared.body.tags, []);

      const shown = await call('a_viewer', 'GET', `documents/${doc.id}/`);
      assert.equal(shown.body.title, 'Zoning plan 2');
    });

    it('refuses bad edits with 400 and edits by those without edit permission with 403 or 404', async () => {
      const doc = await create('a_admin', { name: 'guarded.txt', data: files.txt }, { group: groupA, title: 'Guarded' });
      assertBadRequest(await call('a_admin', 'PUT', `documents/${doc.id}/`, { bogus: 1 }), 'body.bogus', 'unknown field');
      assertBadRequest(await call('a_admin', 'PUT', `documents/${doc.id}/`, { group: groupB }), 'body.group', 'the group cannot change');
      assertBadRequest(await call('a_admin', 'PUT', `documents/${doc.id}/`, { license: 999_999 }), 'body.license', 'missing license');
      assertBadRequest(await call('a_admin', 'PUT', `documents/${doc.id}/`, { tags: [''] }), 'body.tags', 'an empty tag');
      assertError(await call('a_viewer', 'PUT', `documents/${doc.id}/`, { title: 'Mine' }), 403, 'forbidden', 'viewer');
      assertError(await call('b_editor', 'PUT', `documents/${doc.id}/`, { title: 'Mine' }), 404, 'not_found', 'other group');
      assertError(await call('anonymous', 'PUT', `documents/${doc.id}/`, { title: 'Mine' }), 401, 'authentication_required', 'anonymous');
      assertError(await call('a_admin', 'PUT', 'documents/999999/', { title: 'Mine' }), 404, 'not_found', 'missing');
      assert.equal((await call('a_admin', 'GET', `documents/${doc.id}/`)).body.title, 'Guarded', 'nothing changed');
    });

    it('deletes a document, its file and its catalog entries; only with edit permission', async () => {
      const doc = await create('a_admin', { name: 'obsolete.pdf', data: files.pdf }, { group: groupA, title: 'Obsolete quarry map' });
      const folder = join(server.dataDir, 'documents', String(doc.id));
      assert.ok(existsSync(join(folder, 'file')));
      const grant = await call('a_admin', 'POST', `documents/${doc.id}/permissions/`, { id: 'group.everyone', permission: 'download' });
      assert.equal(grant.status, 201, grant.text);

      assertError(await call('a_viewer', 'DELETE', `documents/${doc.id}/`), 403, 'forbidden', 'viewer');
      assertError(await call('outsider', 'DELETE', `documents/${doc.id}/`), 403, 'forbidden', 'outsider who may download');
      assertError(await call('anonymous', 'DELETE', `documents/${doc.id}/`), 401, 'authentication_required', 'anonymous');
      assertError(await call('b_editor', 'DELETE', `documents/${doc.id}/`), 403, 'forbidden', 'group B editor');
      assert.ok(existsSync(join(folder, 'file')), 'refused deletes leave the file');

      const inCatalog = await call('anonymous', 'GET', 'data/?q=quarry');
      assert.deepEqual(inCatalog.body.map((d: { id: number }) => d.id), [doc.id]);

      const deleted = await call('a_admin', 'DELETE', `documents/${doc.id}/`);
      assert.equal(deleted.status, 204, deleted.text);
      assert.ok(!existsSync(folder), 'the file and its folder are gone');
      assertError(await call('a_admin', 'GET', `documents/${doc.id}/`), 404, 'not_found', 'GET after delete');
      const gone = await download('anonymous', doc.download_url);
      assert.equal(gone.status, 404);
      assertError(await call('a_admin', 'GET', `documents/${doc.id}/permissions/`), 404, 'not_found', 'permissions after delete');
      assertError(await call('a_admin', 'DELETE', `documents/${doc.id}/`), 404, 'not_found', 'delete again');
      for (const path of ['data/?q=quarry', 'data/latest/?q=quarry', `documents/?id=${doc.id}`]) {
        const res = await call('site_admin', 'GET', path);
        assert.deepEqual(res.body, [], path);
      }
    });
  });

  describe('permissions', () => {
    let doc: Doc;

    before(async () => {
      doc = await create('a_admin', { name: 'perm.pdf', data: files.pdf }, { group: groupA, title: 'Permission test' });
    });

    it('lets item admins grant, read and replace permissions, and the grants take effect', async () => {
      const path = `documents/${doc.id}/permissions/`;
      const empty = await call('a_admin', 'GET', path);
      assert.equal(empty.status, 200, empty.text);
      assert.deepEqual(empty.body, []);

      assertError(await download('b_editor', doc.download_url).then((d) => ({ status: d.status, body: d.body })), 404, 'not_found', 'b_editor before');
      const grant = await call('a_admin', 'POST', path, { id: `group.${groupB}`, permission: 'download' });
      assert.equal(grant.status, 201, grant.text);
      assert.deepEqual(grant.body, {
        id: `group.${groupB}`,
        url: `${server.api}${path}group.${groupB}/`,
        permission: 'download',
        group: { id: groupB, url: `${server.api}groups/${groupB}/` },
      });
      assert.equal(grant.headers.get('location'), grant.body.url);
      const viaGroup = await download('b_editor', doc.download_url);
      assert.equal(viaGroup.status, 200);
      assert.equal(sha256(viaGroup.bytes), sha256(files.pdf));
      assertError(await call('b_editor', 'PUT', `documents/${doc.id}/`, { title: 'x' }), 403, 'forbidden', 'download is not edit');

      const user = await call('a_admin', 'POST', path, { user: users.outsider.id, permission: 'edit' });
      assert.equal(user.status, 201, user.text);
      const edit = await call('outsider', 'PUT', `documents/${doc.id}/`, { description: 'Edited by a granted user.' });
      assert.equal(edit.status, 200, edit.text);
      assertError(await call('outsider', 'GET', path), 403, 'forbidden', 'edit is not admin');

      const one = await call('a_admin', 'GET', `${path}user.${users.outsider.id}/`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.permission, 'edit');
      assert.deepEqual(one.body.user, { id: users.outsider.id, url: `${server.api}users/${users.outsider.id}/` });

      const everyone = await call('a_admin', 'POST', path, { id: 'group.everyone', permission: 'view' });
      assert.equal(everyone.status, 201, everyone.text);
      assert.deepEqual(everyone.body.group, { id: 'everyone', name: 'Everyone' });
      assertBadRequest(await call('a_admin', 'POST', path, { id: 'group.everyone', permission: 'edit' }), 'body', 'everyone may not edit');
      assertBadRequest(await call('a_admin', 'POST', path, { id: 'group.everyone', permission: 'owner' }), 'body.permission', 'no such level');

      const list = await call('a_admin', 'GET', path);
      assert.deepEqual(
        list.body.map((p: { id: string; permission: string }) => `${p.id}=${p.permission}`).sort(),
        [`group.${groupB}=download`, 'group.everyone=view', `user.${users.outsider.id}=edit`].sort(),
      );

      const replaced = await call('a_admin', 'PUT', path, [{ id: 'group.everyone', permission: 'download' }]);
      assert.equal(replaced.status, 200, replaced.text);
      assert.deepEqual(replaced.body.map((p: { id: string }) => p.id), ['group.everyone']);
      assertError(await call('outsider', 'PUT', `documents/${doc.id}/`, { title: 'x' }), 403, 'forbidden', 'edit revoked');
      const anonymous = await download('anonymous', doc.download_url);
      assert.equal(anonymous.status, 200, 'group.everyone download lets anonymous callers download');
      assert.equal(sha256(anonymous.bytes), sha256(files.pdf));

      const cleared = await call('a_admin', 'PUT', path, []);
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal((await download('anonymous', doc.download_url)).status, 404, 'hidden again');
    });

    it('lets only item admins manage permissions', async () => {
      const path = `documents/${doc.id}/permissions/`;
      const body = { id: 'group.everyone', permission: 'view' };
      assertError(await call('a_viewer', 'GET', path), 403, 'forbidden', 'viewer lists');
      assertError(await call('a_viewer', 'POST', path, body), 403, 'forbidden', 'viewer grants');
      assertError(await call('b_editor', 'POST', path, body), 404, 'not_found', 'other group grants');
      assertError(await call('outsider', 'GET', path), 404, 'not_found', 'outsider lists');
      assertError(await call('anonymous', 'GET', path), 401, 'authentication_required', 'anonymous lists');
      assertError(await call('a_admin', 'GET', 'documents/999999/permissions/'), 404, 'not_found', 'missing document');
      assert.equal((await call('site_admin', 'GET', path)).status, 200);
    });
  });

  describe('the matrix: who sees, downloads and edits what', () => {
    let DA: Doc; // group A, no grants
    let DB: Doc; // group B, no grants
    let DP: Doc; // group A, group.everyone download
    let DV: Doc; // group A, group.everyone view and group B download

    type Expect = number[] | 200 | 204 | 401 | 403 | 404;
    /** null: not tried (it would succeed and change the matrix). */
    type MaybeExpect = Expect | null;

    before(async () => {
      const tagged = (group: number, title: string) => ({ group, title, tags: ['matrix'], description: 'Matrix document' });
      DA = await create('a_admin', { name: 'da.pdf', data: files.pdf }, tagged(groupA, 'Matrix private A'));
      DB = await create('b_editor', { name: 'db.png', data: files.png }, tagged(groupB, 'Matrix private B'));
      DP = await create('a_admin', { name: 'dp.txt', data: files.txt }, tagged(groupA, 'Matrix public download'));
      DV = await create('a_admin', { name: 'dv.gif', data: files.gif }, tagged(groupA, 'Matrix public view'));
      for (const [doc, grants] of [
        [DP, [{ id: 'group.everyone', permission: 'download' }]],
        [DV, [{ id: 'group.everyone', permission: 'view' }, { id: `group.${groupB}`, permission: 'download' }]],
      ] as const) {
        const res = await call('a_admin', 'PUT', `documents/${doc.id}/permissions/`, grants);
        assert.equal(res.status, 200, res.text);
      }
    });

    const visible: Record<Caller, () => number[]> = {
      site_admin: () => [DA.id, DB.id, DP.id, DV.id],
      a_admin: () => [DA.id, DP.id, DV.id],
      a_viewer: () => [DA.id, DP.id, DV.id],
      b_editor: () => [DB.id, DP.id, DV.id],
      outsider: () => [DP.id, DV.id],
      anonymous: () => [DP.id, DV.id],
    };

    const check = async (caller: Caller, route: string, method: string, path: string, expect: Expect, body?: unknown) => {
      const what = `${caller} ${method} ${route}`;
      if (route.endsWith('download/')) {
        const got = await download(caller, path);
        if (expect === 200) {
          assert.equal(got.status, 200, `${what}: ${got.status} ${got.bytes.toString().slice(0, 200)}`);
          assert.ok(got.bytes.length > 0, what);
        } else assertError({ status: got.status, body: got.body }, expect as number, { 401: 'authentication_required', 403: 'forbidden', 404: 'not_found' }[expect as 401], what);
        return;
      }
      const res = await call(caller, method, path, body);
      if (Array.isArray(expect)) {
        assert.equal(res.status, 200, `${what}: ${res.status} ${res.text}`);
        assert.deepEqual(sortedIds(res.body.map((d: { id: number }) => d.id)), sortedIds(expect), `${what}: ids`);
        assert.equal(res.headers.get('x-resource-range'), `0-${expect.length}/${expect.length}`, `${what}: X-Resource-Range`);
      } else if (expect === 200 || expect === 204) {
        assert.equal(res.status, expect, `${what}: ${res.status} ${res.text}`);
      } else {
        assertError(res, expect, { 401: 'authentication_required', 403: 'forbidden', 404: 'not_found' }[expect], what);
      }
    };

    it('lists exactly the documents each caller may view, in documents/, data/ and data/latest/', async () => {
      for (const caller of callers) {
        const expect = visible[caller]();
        await check(caller, 'documents/', 'GET', 'documents/?tag=matrix', expect);
        await check(caller, 'data/', 'GET', 'data/?type=document&tag=matrix', expect);
        await check(caller, 'data/latest/', 'GET', 'data/latest/?type=document&tag=matrix', expect);
        await check(caller, 'data/?q=', 'GET', 'data/?q=matrix', expect);
        await check(caller, 'documents/?title', 'GET', 'documents/?title.startswith=Matrix', expect);
      }
    });

    it('answers detail, download, edit and permission routes by each caller\'s level', async () => {
      const rows: Array<{ route: string; method: string; path: () => string; body?: () => unknown; expect: Record<Caller, MaybeExpect> }> = [
        {
          route: 'GET documents/{DA}/',
          method: 'GET',
          path: () => `documents/${DA.id}/`,
          expect: { site_admin: 200, a_admin: 200, a_viewer: 200, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET documents/{DB}/',
          method: 'GET',
          path: () => `documents/${DB.id}/`,
          expect: { site_admin: 200, a_admin: 404, a_viewer: 404, b_editor: 200, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET documents/{DP}/',
          method: 'GET',
          path: () => `documents/${DP.id}/`,
          expect: { site_admin: 200, a_admin: 200, a_viewer: 200, b_editor: 200, outsider: 200, anonymous: 200 },
        },
        {
          route: 'GET documents/{DV}/',
          method: 'GET',
          path: () => `documents/${DV.id}/`,
          expect: { site_admin: 200, a_admin: 200, a_viewer: 200, b_editor: 200, outsider: 200, anonymous: 200 },
        },
        {
          route: 'GET documents/{DA}/download/',
          method: 'GET',
          path: () => DA.download_url,
          expect: { site_admin: 200, a_admin: 200, a_viewer: 403, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET documents/{DB}/download/',
          method: 'GET',
          path: () => DB.download_url,
          expect: { site_admin: 200, a_admin: 404, a_viewer: 404, b_editor: 200, outsider: 404, anonymous: 404 },
        },
        {
          route: 'GET documents/{DP}/download/',
          method: 'GET',
          path: () => DP.download_url,
          expect: { site_admin: 200, a_admin: 200, a_viewer: 200, b_editor: 200, outsider: 200, anonymous: 200 },
        },
        {
          route: 'GET documents/{DV}/download/',
          method: 'GET',
          path: () => DV.download_url,
          expect: { site_admin: 200, a_admin: 200, a_viewer: 403, b_editor: 200, outsider: 403, anonymous: 403 },
        },
        {
          route: 'GET documents/999999/download/',
          method: 'GET',
          path: () => 'documents/999999/download/',
          expect: { site_admin: 404, a_admin: 404, a_viewer: 404, b_editor: 404, outsider: 404, anonymous: 404 },
        },
        {
          route: 'PUT documents/{DA}/',
          method: 'PUT',
          path: () => `documents/${DA.id}/`,
          body: () => ({ title: DA.title }),
          expect: { site_admin: 200, a_admin: 200, a_viewer: 403, b_editor: 404, outsider: 404, anonymous: 401 },
        },
        {
          route: 'PUT documents/{DV}/',
          method: 'PUT',
          path: () => `documents/${DV.id}/`,
          body: () => ({ title: DV.title }),
          expect: { site_admin: 200, a_admin: 200, a_viewer: 403, b_editor: 403, outsider: 403, anonymous: 401 },
        },
        {
          route: 'GET documents/{DA}/permissions/',
          method: 'GET',
          path: () => `documents/${DA.id}/permissions/`,
          expect: { site_admin: 200, a_admin: 200, a_viewer: 403, b_editor: 404, outsider: 404, anonymous: 401 },
        },
        {
          route: 'GET documents/{DP}/permissions/',
          method: 'GET',
          path: () => `documents/${DP.id}/permissions/`,
          expect: { site_admin: 200, a_admin: 200, a_viewer: 403, b_editor: 403, outsider: 403, anonymous: 401 },
        },
        {
          route: 'DELETE documents/{DV}/ (refused)',
          method: 'DELETE',
          path: () => `documents/${DV.id}/`,
          expect: { site_admin: null, a_admin: null, a_viewer: 403, b_editor: 403, outsider: 403, anonymous: 401 },
        },
      ];
      const failures: string[] = [];
      for (const row of rows) {
        for (const caller of callers) {
          const expect = row.expect[caller];
          if (expect === null) continue;
          try {
            await check(caller, row.route, row.method, row.path(), expect, row.body?.());
          } catch (error) {
            failures.push((error as Error).message.split('\n')[0]!);
          }
        }
      }
      assert.deepEqual(failures, []);
    });

    it('answers a hidden document exactly like a missing one', async () => {
      const hidden = await call('outsider', 'GET', `documents/${DA.id}/`);
      const missing = await call('outsider', 'GET', 'documents/999999/');
      assert.equal(hidden.status, 404);
      assert.equal(hidden.body.code, missing.body.code);
      assert.equal(hidden.body.detail.replace(String(DA.id), 'N'), missing.body.detail.replace('999999', 'N'));
    });
  });

  describe('in the catalog', () => {
    it('shows documents in data/ and data/latest/, found by title, description, tags and file name, linking to documents/{id}/', async () => {
      const doc = await create('a_admin', { name: 'walrus-census.pdf', data: files.pdf }, {
        group: groupA,
        title: 'Pinniped count',
        description: 'Seals along the fjord.',
        tags: ['marinemammals'],
        categories: ['biology'],
        license: ccBy,
      });
      for (const view of ['data/', 'data/latest/']) {
        for (const q of ['pinniped', 'fjord', 'marinemammals', 'walrus', 'census']) {
          const res = await call('a_admin', 'GET', `${view}?q=${q}`);
          assert.equal(res.status, 200, res.text);
          assert.deepEqual(res.body.map((d: { id: number }) => d.id), [doc.id], `${view}?q=${q}`);
          const [summary] = res.body;
          assert.equal(summary.url, `${server.api}documents/${doc.id}/`);
          assert.equal(summary.type, 'document');
          assert.equal(summary.title, 'Pinniped count');
          assert.deepEqual(summary.tags, ['marinemammals']);
          assert.deepEqual(summary.categories, ['biology']);
          assert.equal(summary.extent, null);
        }
      }
      const filters = [`type=document&tag=marinemammals`, `category=biology`, `license=${ccBy}&q=pinniped`, 'license.type=cc-by&q=pinniped', `group=${groupA}&q=seals`];
      for (const filter of filters) {
        const res = await call('a_admin', 'GET', `data/?${filter}`);
        assert.deepEqual(res.body.map((d: { id: number }) => d.id), [doc.id], filter);
      }
      assert.deepEqual((await call('a_admin', 'GET', 'data/?type=layer&q=pinniped')).body, []);
      assert.deepEqual((await call('b_editor', 'GET', 'data/?q=pinniped')).body, [], 'not for other groups');

      const expanded = await server.request('GET', 'data/?q=pinniped', { headers: { expand: 'list' } });
      assert.equal(expanded.body[0].download_url, doc.download_url, 'Expand: list shows the document itself');
      assert.equal(expanded.body[0].filename, 'walrus-census.pdf');

      // An edit shows in the catalog at once.
      const put = await call('a_admin', 'PUT', `documents/${doc.id}/`, { title: 'Otariid count', tags: ['sealions'] });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual((await call('a_admin', 'GET', 'data/?q=pinniped')).body, []);
      assert.deepEqual((await call('a_admin', 'GET', 'data/?q=otariid')).body.map((d: { id: number }) => d.id), [doc.id]);
      assert.deepEqual((await call('a_admin', 'GET', 'data/latest/?tag=sealions')).body.map((d: { title: string }) => d.title), ['Otariid count']);
    });

    it('shows a document to anonymous callers only while group.everyone may view it', async () => {
      const doc = await create('a_admin', { name: 'lighthouse.txt', data: files.txt }, { group: groupA, title: 'Lighthouse logbook' });
      const ids = async (caller: Caller, query: string) => {
        const res = await call(caller, 'GET', `data/?${query}`);
        assert.equal(res.status, 200, res.text);
        return res.body.map((d: { id: number }) => d.id);
      };
      assert.deepEqual(await ids('anonymous', 'q=lighthouse'), []);
      assert.deepEqual(await ids('outsider', 'q=lighthouse'), []);
      assert.deepEqual(await ids('a_viewer', 'q=lighthouse'), [doc.id]);
      assert.deepEqual(await ids('a_viewer', 'q=lighthouse&public=false'), [doc.id]);

      const grant = await call('a_admin', 'POST', `documents/${doc.id}/permissions/`, { id: 'group.everyone', permission: 'view' });
      assert.equal(grant.status, 201, grant.text);
      assert.deepEqual(await ids('anonymous', 'q=lighthouse'), [doc.id]);
      assert.deepEqual(await ids('outsider', 'q=lighthouse'), [doc.id]);
      assert.deepEqual(await ids('anonymous', 'q=lighthouse&public=true'), [doc.id]);
      assert.equal((await call('anonymous', 'GET', `documents/${doc.id}/`)).status, 200);
      const refused = await download('anonymous', doc.download_url);
      assertError({ status: refused.status, body: refused.body }, 403, 'forbidden', 'view is not download');

      const revoke = await call('a_admin', 'PUT', `documents/${doc.id}/permissions/`, []);
      assert.equal(revoke.status, 200, revoke.text);
      assert.deepEqual(await ids('anonymous', 'q=lighthouse'), []);
      assertError(await call('anonymous', 'GET', `documents/${doc.id}/`), 404, 'not_found', 'anonymous after revoking');
    });

    it('ranks by popularity: viewing and downloading count, list views and resumed downloads do not', async () => {
      const tagged = (title: string) => ({ group: groupA, title, tags: ['popularity'] });
      const quiet = await create('a_admin', { name: 'quiet.txt', data: files.txt }, tagged('Quiet'));
      const viewed = await create('a_admin', { name: 'viewed.txt', data: files.txt }, tagged('Viewed'));
      const downloaded = await create('a_admin', { name: 'downloaded.pdf', data: files.pdf }, tagged('Downloaded'));
      const order = async (view = 'data/') => {
        const res = await call('a_viewer', 'GET', `${view}?tag=popularity&sort=-popularity`);
        assert.equal(res.status, 200, res.text);
        return res.body.map((d: { title: string }) => d.title);
      };

      // Lists and searches do not count.
      for (let i = 0; i < 3; i++) {
        await call('a_admin', 'GET', 'documents/?tag=popularity');
        await call('a_admin', 'GET', 'data/?q=quiet');
      }
      // Resumed (Range) downloads and HEAD requests do not count either.
      for (let i = 0; i < 3; i++) {
        assert.equal((await download('a_admin', quiet.download_url, { range: 'bytes=0-3' })).status, 206);
        assert.equal((await download('a_admin', quiet.download_url, {}, 'HEAD')).status, 200);
      }
      // Viewing counts: twice. Downloading counts: once.
      for (let i = 0; i < 2; i++) assert.equal((await call('a_viewer', 'GET', `documents/${viewed.id}/`)).status, 200);
      assert.equal((await download('a_admin', downloaded.download_url)).status, 200);
      assert.deepEqual(await order(), ['Viewed', 'Downloaded', 'Quiet']);
      assert.deepEqual(await order('data/latest/'), ['Viewed', 'Downloaded', 'Quiet']);

      // Two more downloads put it first; editing keeps the count.
      for (let i = 0; i < 2; i++) assert.equal((await download('a_admin', downloaded.download_url)).status, 200);
      const edit = await call('a_admin', 'PUT', `documents/${downloaded.id}/`, { description: 'Edited, still popular.' });
      assert.equal(edit.status, 200, edit.text);
      assert.deepEqual(await order(), ['Downloaded', 'Viewed', 'Quiet']);
      assert.deepEqual(await order('data/latest/'), ['Downloaded', 'Viewed', 'Quiet']);

      // Refused views count for nothing.
      for (let i = 0; i < 5; i++) assert.equal((await call('outsider', 'GET', `documents/${quiet.id}/`)).status, 404);
      for (let i = 0; i < 5; i++) assert.equal((await download('a_viewer', quiet.download_url)).status, 403);
      assert.deepEqual(await order(), ['Downloaded', 'Viewed', 'Quiet']);
      // And the most popular document is first across the whole catalog too, once viewed enough.
      for (let i = 0; i < 40; i++) await call('a_admin', 'GET', `documents/${viewed.id}/`);
      const top = await call('a_viewer', 'GET', 'data/?sort=-popularity&page_size=1');
      assert.deepEqual(top.body.map((d: { id: number }) => d.id), [viewed.id]);
    });
  });
});
