/**
 * Issue 14 (uploads and archives) and issue 15's JSON-typed part: zip bombs spread over many
 * entries, the upload limit over a whole request, the extract limit, free disk space, removal of
 * unreadable uploads, hostile file names, malformed multipart bodies, duplicate names and parts,
 * and no server path in any answer. Every archive is generated here; nothing large is committed.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import Fastify from 'fastify';
import { registerErrorHandler } from '../src/http/data-api/conventions/errors.js';
import { resolveConfig } from '../src/index.js';
import { MapshelfError } from '../src/domain/errors.js';
import { ensureFreeSpace, freeBytes } from '../src/files/disk-space.js';
import { jobScratchName } from '../src/domain/data-paths.js';
import { adminToken, startTestServer, type TestServer } from './helpers/server.js';
import { buildZip, uploadSource, waitForScan, type UploadResult } from './helpers/uploads.js';

const MiB = 1024 * 1024;

/**
 * A zip of `count` entries holding the same `data`, deflated once and written by hand: building
 * 2,000 × 1 MiB entries with yazl would deflate 2 GB. Sizes and CRCs are true, so the archive is
 * a valid zip that really expands to count × data.length.
 */
function repeatedEntryZip(count: number, data: Buffer, name = (i: number) => `zeros/${i}.bin`): Buffer {
  const deflated = zlib.deflateRawSync(data);
  const crc = (zlib as unknown as { crc32(data: Buffer): number }).crc32(data);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const fileName = Buffer.from(name(i));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, deflated);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** CSV text of about `bytes` bytes that deflates a few times over, as real tables do. */
function csvText(bytes: number): Buffer {
  const lines = ['id,name,value'];
  let size = lines[0]!.length + 1;
  for (let i = 0; size < bytes; i++) {
    const line = `${i},place ${(i * 7919) % 100_003},${((i * 104_729) % 1_000_003) / 1000}`;
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(lines.join('\n'));
}

const point = Buffer.from(
  JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Null Island' }, geometry: { type: 'Point', coordinates: [0, 0] } }] }),
);

/** What the data folder's tmp/ holds (uploads in progress or left behind). */
/**
 * What uploads left in tmp/. A job's scratch folder (`…-job7.1`: a scan of a source just
 * created) is that running job's, and goes when the job ends (recovery.test.ts checks it).
 */
function tmpLeft(server: TestServer): string[] {
  const tmp = join(server.dataDir, 'tmp');
  return existsSync(tmp) ? readdirSync(tmp).filter((name) => !jobScratchName.test(name)) : [];
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
}

/** Asserts a refusal: its status, a JSON body with `code`, and an error naming `location`. */
function assertRefused(res: { status: number; body: any; text: string }, status: number, code: string, location: string | RegExp, what: string): void {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.equal(typeof res.body, 'object', `${what}: not JSON: ${res.text}`);
  assert.equal(res.body.code, code, `${what}: ${res.text}`);
  const locations: string[] = (res.body.errors ?? []).map((e: { location: string }) => e.location);
  assert.ok(
    locations.some((l) => (typeof location === 'string' ? l === location : location.test(l))),
    `${what}: expected an error at ${location}, got ${JSON.stringify(locations)}: ${res.text}`,
  );
}

/** POSTs a hand-built multipart body, for what FormData can't send (a typed part, no boundary). */
async function rawUpload(server: TestServer, path: string, body: Buffer | string, contentType: string): Promise<UploadResult> {
  const response = await fetch(`${server.api}${path}`, {
    method: 'POST',
    headers: { authorization: `key ${adminToken}`, accept: 'application/json', 'content-type': contentType },
    body: typeof body === 'string' ? body : new Uint8Array(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  return { response, status: response.status, headers: response.headers, body: json, text };
}

/** A multipart body from parts given as [headers, content]. */
function multipartBody(boundary: string, parts: Array<[string, string | Buffer]>): Buffer {
  const chunks: Buffer[] = [];
  for (const [headers, content] of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

describe('upload limits and hostile uploads', () => {
  let server: TestServer;
  /** Every answer to a refused request, checked at the end for server paths. */
  const answers: Array<[string, string, string]> = [];
  const record = <T extends { text: string }>(what: string, res: T, from: TestServer = server): T => {
    answers.push([what, res.text, from.dataDir]);
    return res;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    server.running.app.server.closeAllConnections();
    await server.close();
  });

  describe('zip bombs', () => {
    it('refuses 2,000 zero-filled 1 MiB entries (2 GB from 2 MB) before writing any of them', async () => {
      const bomb = repeatedEntryZip(2000, Buffer.alloc(MiB));
      assert.ok(bomb.length < 3 * MiB, `the bomb is ${bomb.length} bytes`);
      const res = record('2,000-entry bomb', await uploadSource(server, 'Bomb', [{ name: 'bomb.zip', data: bomb }]));
      assertRefused(res, 400, 'invalid_parameter', 'file bomb.zip', '2,000-entry bomb');
      assert.match(res.body.detail, /zip bomb/i);
      assert.deepEqual(tmpLeft(server), []);
      assert.deepEqual(filesUnder(join(server.dataDir, 'sources')), []);
    });

    it('refuses many small entries whose total is a bomb, though none is over the per-entry floor', async () => {
      // 2,000 × 64 KiB of zeros: none over the 64 KiB floor, 128 MiB from some 400 KB.
      const bomb = repeatedEntryZip(2000, Buffer.alloc(64 * 1024));
      const res = record('small-entry bomb', await uploadSource(server, 'Small bomb', [{ name: 'small.zip', data: bomb }]));
      assertRefused(res, 400, 'invalid_parameter', 'file small.zip', 'small-entry bomb');
      assert.match(res.body.detail, /expands \d+:1/);
      assert.deepEqual(tmpLeft(server), []);
    });

    it('refuses one highly compressed entry of 100 KiB, but accepts tiny files that compress well', async () => {
      const one = await buildZip([{ name: 'zeros.csv', data: Buffer.alloc(100 * 1024) }, { name: 'p.geojson', data: point }]);
      const res = record('one 100 KiB entry', await uploadSource(server, 'One', [{ name: 'one.zip', data: one }]));
      assertRefused(res, 400, 'invalid_parameter', 'file one.zip', 'one 100 KiB entry');
      assert.match(res.body.detail, /entry "zeros\.csv" is compressed \d+:1/);

      // A 4 KiB .cpg-like file of spaces compresses some 200:1; under the floor it is fine.
      const tiny = await buildZip([{ name: 'p.geojson', data: point }, { name: 'p.txt', data: Buffer.alloc(4096, ' ') }]);
      const ok = await uploadSource(server, 'Tiny', [{ name: 'tiny.zip', data: tiny }]);
      assert.equal(ok.status, 201, ok.text);
      assert.equal((await waitForScan(server, ok.body.id)).status, 'completed');
      assert.deepEqual(tmpLeft(server), []);
    });
  });

  describe('the upload limit covers the whole request', () => {
    let small: TestServer;
    before(async () => {
      small = await startTestServer({ uploadLimit: '1mb' });
    });
    after(async () => {
      small.running.app.server.closeAllConnections();
      await small.close();
    });

    it('refuses 20 files of 900 KB under --upload-limit 1mb with 413, naming the limit and the flag', async () => {
      const files = Array.from({ length: 20 }, (_, i) => ({ name: `part${i}.csv`, data: csvText(900_000) }));
      const res = record('20 × 900 KB', await uploadSource(small, 'Twenty', files), small);
      // Refused on its Content-Length, before anything is read.
      assertRefused(res, 413, 'body_too_large', 'header.content-length', '20 × 900 KB');
      assert.match(res.body.detail, /1048576 bytes/);
      assert.match(res.body.detail, /--upload-limit/);
      assert.deepEqual(tmpLeft(small), []);
      assert.deepEqual(filesUnder(join(small.dataDir, 'sources')), []);
    });

    it('refuses three files of 400 KB (each under the limit, together over it) while streaming, naming the part that crossed it', async () => {
      const files = Array.from({ length: 3 }, (_, i) => ({ name: `part${i}.csv`, data: csvText(400_000) }));
      const res = record('3 × 400 KB', await uploadSource(small, 'Three', files), small);
      assertRefused(res, 413, 'body_too_large', 'multipart.file2', '3 × 400 KB');
      assert.match(res.body.detail, /--upload-limit/);
      assert.deepEqual(tmpLeft(small), []);
      // The connection and the server go on working; two files under the limit together are fine.
      const ok = await uploadSource(small, 'Two', [{ name: 'a.geojson', data: point }, { name: 'b.csv', data: csvText(400_000) }]);
      assert.equal(ok.status, 201, ok.text);
    });
  });

  describe('the extract limit and free disk space', () => {
    it('refuses a zip that expands past --extract-limit with 413 naming the flag', async () => {
      const limited = await startTestServer({ uploadLimit: '2mb', extractLimit: '2mb' });
      try {
        const zip = await buildZip([0, 1, 2].map((i) => ({ name: `t${i}.csv`, data: csvText(MiB) })));
        assert.ok(zip.length < 2 * MiB, `the zip is ${zip.length} bytes`);
        const res = record('past the extract limit', await uploadSource(limited, 'Big', [{ name: 'big.zip', data: zip }]), limited);
        assertRefused(res, 413, 'body_too_large', 'file big.zip', 'past the extract limit');
        assert.match(res.body.detail, /--extract-limit/);
        assert.deepEqual(tmpLeft(limited), []);
        // Plain files count towards it too: 1.5 MB beside a zip of 1 MB is over 2 MiB.
        const one = await buildZip([{ name: 't.csv', data: csvText(MiB) }]);
        const both = await uploadSource(limited, 'Both', [{ name: 'plain.csv', data: csvText(1_500_000) }, { name: 'one.zip', data: one }]);
        assertRefused(both, 413, 'body_too_large', 'file one.zip', 'plain file and zip');
        const alone = await uploadSource(limited, 'Alone', [{ name: 'a.geojson', data: point }, { name: 'one.zip', data: one }]);
        assert.equal(alone.status, 201, alone.text);
      } finally {
        limited.running.app.server.closeAllConnections();
        await limited.close();
      }
    });

    it('defaults --extract-limit to 4 × --upload-limit, at most 20 GiB, and reads MAPSHELF_EXTRACT_LIMIT', () => {
      assert.equal(resolveConfig({ uploadLimit: '1gb' }, {}).extractLimit, 4 * 1024 ** 3);
      assert.equal(resolveConfig({ uploadLimit: '10gb' }, {}).extractLimit, 20 * 1024 ** 3);
      assert.equal(resolveConfig({}, { MAPSHELF_EXTRACT_LIMIT: '3gb' }).extractLimit, 3 * 1024 ** 3);
      assert.throws(() => resolveConfig({ extractLimit: 'lots' }, {}), /--extract-limit/);
    });

    it('refuses to extract what would not fit in the free space with its margin, naming no server path', async () => {
      const free = await freeBytes(server.dataDir);
      await ensureFreeSpace(server.dataDir, 1024, 'file small.zip');
      await assert.rejects(ensureFreeSpace(server.dataDir, free, 'file huge.zip'), (error: unknown) => {
        assert.ok(error instanceof MapshelfError);
        assert.equal(error.statusCode, 507);
        assert.equal(error.code, 'insufficient_storage');
        assert.match(error.message, /^file huge\.zip: |file huge\.zip expands/);
        assert.match(error.message, /free/);
        assert.ok(!error.message.includes(server.dataDir), error.message);
        return true;
      });
    });
  });

  describe('uploads with nothing readable', () => {
    const notes = { name: 'notes/readme.txt', data: Buffer.from('not a dataset') };
    const broken = { name: 'broken.geojson', data: Buffer.from('{"type": "FeatureCollection", "features": [') };

    it('removes the files of a source whose scan finds nothing readable, saying so in the scan log', async () => {
      const res = await uploadSource(server, 'Nothing', [notes, broken]);
      assert.equal(res.status, 201, res.text);
      const scan = await waitForScan(server, res.body.id);
      assert.equal(scan.status, 'error');
      const log = (await server.request('GET', scan.log_url)).text;
      assert.match(log, /no readable dataset found/);
      assert.match(log, /files were removed/);
      assert.match(log, /keep_unreadable/);
      assert.ok(!log.includes(server.dataDir), log);
      assert.deepEqual(filesUnder(join(server.dataDir, 'sources', String(res.body.id))), []);
      assert.deepEqual(tmpLeft(server), []);
    });

    it('keeps them when the source part says "keep_unreadable": true', async () => {
      const res = await uploadSource(server, 'Keep', [notes, broken], { extra: { keep_unreadable: true } });
      assert.equal(res.status, 201, res.text);
      const scan = await waitForScan(server, res.body.id);
      assert.equal(scan.status, 'error');
      const log = (await server.request('GET', scan.log_url)).text;
      assert.doesNotMatch(log, /files were removed/);
      assert.deepEqual(filesUnder(join(server.dataDir, 'sources', String(res.body.id))).sort(), ['broken.geojson', 'notes/readme.txt']);

      const bad = record('keep_unreadable not a boolean', await uploadSource(server, 'Bad', [broken], { extra: { keep_unreadable: 'yes' } }));
      assertRefused(bad, 400, 'invalid_body', 'source.keep_unreadable', 'keep_unreadable: "yes"');
    });
  });

  describe('hostile names and malformed bodies', () => {
    it('refuses a 300-character file name, a name ending in "/" and one over 1,024 bytes with 400 naming the part', async () => {
      const cases: Array<[string, string]> = [
        ['300 characters', `${'a'.repeat(300)}.geojson`],
        ['dir/', 'dir/'],
        ['a folder of 300 characters', `${'b'.repeat(300)}/p.geojson`],
        ['1,100 bytes in all', `${Array.from({ length: 11 }, () => 'c'.repeat(99)).join('/')}/p.geojson`],
        ['"."', 'x/.'],
      ];
      for (const [what, name] of cases) {
        const res = record(what, await uploadSource(server, 'Names', [{ name: 'ok.geojson', data: point }, { name, data: point }]));
        assertRefused(res, 400, 'invalid_parameter', 'multipart.file1', what);
      }
      assert.deepEqual(tmpLeft(server), []);
    });

    it('refuses the same names inside a zip, naming the zip', async () => {
      for (const [what, name] of [['300 characters', `${'a'.repeat(300)}.csv`], ['a folder of 300', `${'d'.repeat(300)}/x.csv`]] as const) {
        const zip = await buildZip([{ name, data: Buffer.from('x') }]);
        const res = record(`zip: ${what}`, await uploadSource(server, 'Zip names', [{ name: 'names.zip', data: zip }]));
        assertRefused(res, 400, 'invalid_parameter', 'file names.zip', `zip: ${what}`);
      }
      assert.deepEqual(tmpLeft(server), []);
    });

    it('refuses multipart/form-data without a boundary, and a malformed body, with 400', async () => {
      const none = record('no boundary', await rawUpload(server, 'sources/', 'hello', 'multipart/form-data'));
      assertRefused(none, 400, 'bad_request', 'header.content-type', 'no boundary');
      assert.match(none.body.detail, /boundary/);
      const garbage = record('malformed', await rawUpload(server, 'sources/', '--xyz\r\nnot a header\r\n\r\nstuff', 'multipart/form-data; boundary=xyz'));
      assert.ok([400, 413].includes(garbage.status), garbage.text);
      assert.equal(typeof garbage.body?.code, 'string', garbage.text);
      const docs = record('documents: no boundary', await rawUpload(server, 'documents/', 'hello', 'multipart/form-data'));
      assertRefused(docs, 400, 'bad_request', 'header.content-type', 'documents: no boundary');
      assert.deepEqual(tmpLeft(server), []);
    });

    it('refuses a zip holding a.csv twice, a file beside a folder of its name, and two files of one name, naming only upload paths', async () => {
      const twice = await buildZip([{ name: 'a.csv', data: Buffer.from('id\n1\n') }, { name: 'a.csv', data: Buffer.from('id\n2\n') }]);
      const dup = record('zip a.csv twice', await uploadSource(server, 'Dup', [{ name: 'dup.zip', data: twice }]));
      assertRefused(dup, 400, 'invalid_parameter', 'file dup.zip', 'zip a.csv twice');
      assert.match(dup.body.detail, /"a\.csv"/);
      assert.doesNotMatch(dup.text, /EEXIST|upload-|\/tmp\//);

      const clash = await buildZip([{ name: 'a', data: Buffer.from('x') }, { name: 'a/b.csv', data: Buffer.from('id\n1\n') }]);
      const folder = record('zip file and folder', await uploadSource(server, 'Clash', [{ name: 'clash.zip', data: clash }]));
      assertRefused(folder, 400, 'invalid_parameter', 'file clash.zip', 'zip file and folder');

      const parts = record('multipart file and folder', await uploadSource(server, 'Clash', [{ name: 'a', data: point }, { name: 'a/p.geojson', data: point }]));
      assertRefused(parts, 400, 'invalid_parameter', 'multipart.file1', 'multipart file and folder');

      // A zip's folder is named after it: roads.zip beside a file "roads" has nowhere to go.
      const roads = await buildZip([{ name: 'p.geojson', data: point }]);
      const beside = record('zip folder clash', await uploadSource(server, 'Roads', [{ name: 'roads', data: point }, { name: 'roads.zip', data: roads }]));
      assertRefused(beside, 400, 'invalid_parameter', 'file roads.zip', 'zip folder clash');

      // A file sent beside a zip holding the same path.
      const inside = record('file beside zip entry', await uploadSource(server, 'Same', [{ name: 'roads/p.geojson', data: point }, { name: 'roads.zip', data: roads }]));
      assertRefused(inside, 400, 'invalid_parameter', 'file roads.zip', 'file beside zip entry');
      assert.doesNotMatch(inside.text, /EEXIST|upload-/);
      assert.deepEqual(tmpLeft(server), []);
    });
  });

  describe('the JSON part', () => {
    it('refuses two source parts, and two document parts, with 400 naming the part', async () => {
      const two = record('two source parts', await uploadSource(server, 'One', [{ name: 'p.geojson', data: point }], { fields: [['source', '{"title": "Two"}']] }));
      assertRefused(two, 400, 'invalid_parameter', 'multipart.source', 'two source parts');

      const form = new FormData();
      form.append('document', '{"title": "One"}');
      form.append('document', '{"title": "Two"}');
      form.append('file0', new Blob([Buffer.from('hello')]), 'a.txt');
      const response = await fetch(`${server.api}documents/`, { method: 'POST', headers: { authorization: `key ${adminToken}` }, body: form });
      const text = await response.text();
      const docs = record('two document parts', { status: response.status, body: JSON.parse(text), text });
      assertRefused(docs, 400, 'invalid_parameter', 'multipart.document', 'two document parts');
      assert.deepEqual(tmpLeft(server), []);
    });

    it('accepts the source part sent as application/json (as the Koordinates Python client does), as plain text or untyped', async () => {
      const boundary = 'mapshelf-test-boundary';
      const file: [string, Buffer] = ['Content-Disposition: form-data; name="file0"; filename="p.geojson"\r\nContent-Type: application/octet-stream', point];
      for (const [what, headers] of [
        ['application/json', 'Content-Disposition: form-data; name="source"\r\nContent-Type: application/json'],
        ['text/plain', 'Content-Disposition: form-data; name="source"\r\nContent-Type: text/plain; charset=utf-8'],
        ['no type', 'Content-Disposition: form-data; name="source"'],
        ['a file part', 'Content-Disposition: form-data; name="source"; filename="source.json"\r\nContent-Type: application/json'],
      ] as const) {
        const body = multipartBody(boundary, [[headers, JSON.stringify({ title: `Typed ${what}`, type: 'upload', options: {}, scan_schedule: null })], file]);
        const res = await rawUpload(server, 'sources/', body, `multipart/form-data; boundary=${boundary}`);
        assert.equal(res.status, 201, `${what}: ${res.text}`);
        assert.equal(res.body.title, `Typed ${what}`, what);
      }

      const invalid = multipartBody(boundary, [['Content-Disposition: form-data; name="source"\r\nContent-Type: application/json', '{"title": '], file]);
      const bad = record('invalid typed JSON', await rawUpload(server, 'sources/', invalid, `multipart/form-data; boundary=${boundary}`));
      assertRefused(bad, 400, 'invalid_json', 'multipart.source', 'invalid typed JSON');
      const array = multipartBody(boundary, [['Content-Disposition: form-data; name="source"\r\nContent-Type: application/json', '[1, 2]'], file]);
      const wrong = record('typed JSON array', await rawUpload(server, 'sources/', array, `multipart/form-data; boundary=${boundary}`));
      assert.equal(wrong.status, 400, wrong.text);
      assert.deepEqual(tmpLeft(server), []);
    });
  });

  it('rewrites an error message that names the data folder, as a last line of defence', async () => {
    const app = Fastify();
    app.decorate('domain', { dataDir: '/srv/mapshelf-data' } as never);
    registerErrorHandler(app);
    app.get('/leak', async () => {
      throw new MapshelfError('invalid_parameter', "EEXIST: file already exists, open '/srv/mapshelf-data/tmp/upload-MsKhGN/dup/a.csv'", {
        errors: [{ location: 'multipart.file0', message: 'see /srv/mapshelf-data/sources/3/a.csv' }],
      });
    });
    const res = await app.inject('/leak');
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.detail, "EEXIST: file already exists, open 'dup/a.csv'");
    assert.deepEqual(body.errors, [{ location: 'multipart.file0', message: 'see a.csv' }]);
    await app.close();
  });

  it('never names the data folder in any answer above', () => {
    assert.ok(answers.length >= 20, `only ${answers.length} answers recorded`);
    for (const [what, text, dataDir] of answers) {
      assert.ok(!text.includes(dataDir), `${what} names the data folder: ${text}`);
      assert.ok(!/\/tmp\/upload-|\/sources\/\d+\//.test(text), `${what} names a server path: ${text}`);
    }
  });
});
