/**
 * Names inside zips written without the UTF-8 flag (general purpose bit 11), as Info-ZIP and
 * Windows Explorer write them: read as UTF-8 when they are valid UTF-8, else in the code page a
 * Shapefile's .cpg names, else CP437. First on archives built byte by byte, then over HTTP with
 * archives made by the `zip` command, checking the datasource titles a scan finds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { extractZip } from '../src/files/zip-extract.js';
import { cpgEncoding, decodeCp437 } from '../src/files/zip-entry-names.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { uploadSource, waitForScan } from './helpers/uploads.js';

interface RawEntry {
  /** The name's bytes, written as they are. */
  name: Buffer;
  data?: Buffer;
  /** General purpose bit flag; 0x800 is the UTF-8 flag. @default 0 */
  flags?: number;
  /** Extra fields, as [id, data]. */
  extra?: Array<[number, Buffer]>;
}

/** A zip of stored entries with exactly these name bytes and flags, which no zip library writes on request. */
function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const extra = Buffer.concat(
      (entry.extra ?? []).map(([id, body]) => {
        const header = Buffer.alloc(4);
        header.writeUInt16LE(id, 0);
        header.writeUInt16LE(body.length, 2);
        return Buffer.concat([header, body]);
      }),
    );
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.flags ?? 0, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(entry.name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made on Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.flags ?? 0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(entry.name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(((entry.name.at(-1) === 0x2f ? 0o040755 : 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    const localRecord = Buffer.concat([local, entry.name, extra, data]);
    locals.push(localRecord);
    centrals.push(Buffer.concat([central, entry.name, extra]));
    offset += localRecord.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const latin1 = (text: string) => Buffer.from(text, 'latin1');
/** 'Zürich_Straßen' in CP437: ü is 0x81, ß is 0xE1. */
const cp437Name = (suffix: string) => Buffer.concat([latin1('Z\x81rich_Stra\xe1en'), latin1(suffix)]);
/** 'Zürich_Straßen' in windows-1252 (and ISO 8859-1): ü is 0xFC, ß is 0xDF. */
const cp1252Name = (suffix: string) => Buffer.concat([latin1('Z\xfcrich_Stra\xdfen'), latin1(suffix)]);
const shapefileParts = ['.shp', '.shx', '.dbf', '.prj'];

describe('zip entry names', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-zip-names-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** The paths extractZip reports (and writes) for these entries. */
  const extracted = async (entries: RawEntry[]): Promise<string[]> => {
    const dir = mkdtempSync(join(work, 'case-'));
    writeFileSync(join(dir, 'in.zip'), rawZip(entries));
    const { files } = await extractZip(join(dir, 'in.zip'), join(dir, 'out'), 'in.zip');
    assert.deepEqual(readdirSync(join(dir, 'out'), { recursive: true }).map(String).sort(), [...files, ...new Set(files.filter((f) => f.includes('/')).map((f) => f.slice(0, f.lastIndexOf('/'))))].sort());
    return files.sort();
  };

  describe('read from the bytes', () => {
    it('reads names that are valid UTF-8 as UTF-8, flag or not (Info-ZIP on Linux, macOS)', async () => {
      assert.deepEqual(await extracted([{ name: utf8('Zürich_Straßen.txt') }, { name: utf8('Ōtautahi/東京.txt') }]), ['Zürich_Straßen.txt', 'Ōtautahi/東京.txt']);
      assert.deepEqual(await extracted([{ name: utf8('Zürich_Straßen.txt'), flags: 0x800 }]), ['Zürich_Straßen.txt']);
    });

    it('reads names that are not valid UTF-8 as CP437 (Windows Explorer, Info-ZIP on DOS code pages), folders and files alike', async () => {
      assert.deepEqual(
        await extracted([{ name: cp437Name('/') }, { name: cp437Name('/a.txt') }, { name: cp437Name('.txt') }]),
        ['Zürich_Straßen.txt', 'Zürich_Straßen/a.txt'],
      );
    });

    it('decides once per archive, so a folder reads the same in every path', async () => {
      // 'Zü' in CP437 is not valid UTF-8, so the whole archive is CP437, the ASCII-only and
      // UTF-8-looking names with it; flagged names keep their UTF-8.
      assert.deepEqual(
        await extracted([{ name: cp437Name('.txt') }, { name: latin1('plain.txt') }, { name: utf8('flagged-ß.txt'), flags: 0x800 }]),
        ['Zürich_Straßen.txt', 'flagged-ß.txt', 'plain.txt'],
      );
    });

    it('reads them in the code page a Shapefile .cpg names', async () => {
      const shapefile = (cpg: string, name: (suffix: string) => Buffer) => [
        ...shapefileParts.map((suffix) => ({ name: name(suffix) })),
        { name: name('.cpg'), data: latin1(cpg) },
      ];
      const names = ['.cpg', ...shapefileParts].map((suffix) => `Zürich_Straßen${suffix}`).sort();
      assert.deepEqual(await extracted(shapefile('1252', cp1252Name)), names);
      assert.deepEqual(await extracted(shapefile('ISO-8859-1\r\n', cp1252Name)), names);
      // A .cpg naming 1252 on names in CP437 (Explorer writes names in the OEM code page whatever
      // the .dbf's): 0x81 is a control character in 1252, so CP437 it is.
      assert.deepEqual(await extracted(shapefile('ANSI 1252', cp437Name)), names);
      // Without a .cpg, 1252 bytes are read as CP437, as any zip tool would.
      const withoutCpg = await extracted(shapefileParts.map((suffix) => ({ name: cp1252Name(suffix) })));
      assert.deepEqual(withoutCpg, shapefileParts.map((suffix) => `Zⁿrich_Stra▀en${suffix}`).sort());
      // A .cpg that is not beside a .shp or .dbf is just a file.
      assert.deepEqual(await extracted([{ name: cp1252Name('.txt') }, { name: latin1('x.cpg'), data: latin1('1252') }]), ['x.cpg', 'Zⁿrich_Stra▀en.txt'].sort());
    });

    it('takes the Info-ZIP Unicode Path extra field when its CRC matches the name, and ignores it otherwise', async () => {
      const field = (name: Buffer, unicode: string, crc = crc32(name)) => {
        const head = Buffer.alloc(5);
        head.writeUInt8(1, 0);
        head.writeUInt32LE(crc, 1);
        return [0x7075, Buffer.concat([head, utf8(unicode)])] as [number, Buffer];
      };
      const name = latin1('Zurich.txt');
      assert.deepEqual(await extracted([{ name, extra: [field(name, 'Zürich.txt')] }]), ['Zürich.txt']);
      assert.deepEqual(await extracted([{ name, extra: [field(name, 'Zürich.txt', 12345)] }]), ['Zurich.txt']);
    });

    it('still refuses unsafe names, whatever their encoding', async () => {
      for (const name of [latin1('../\x81.txt'), latin1('/etc/\x81'), latin1('a\\..\\..\\b.txt'), utf8('C:/ü.txt'), latin1('a\x01.txt')]) {
        await assert.rejects(extracted([{ name }]), /unsafe path|not a safe relative path|control character/, name.toString('latin1'));
      }
    });

    it('reads .cpg code pages in their usual spellings', () => {
      const cases: Array<[string, string | null]> = [
        ['1252', 'windows-1252'], ['ANSI 1252', 'windows-1252'], ['CP1252', 'windows-1252'], ['ISO-8859-1', 'iso-8859-1'],
        ['ISO88591', 'iso-8859-1'], ['8859_1', 'iso-8859-1'], ['88591', 'iso-8859-1'], ['28592', 'iso-8859-2'], ['UTF-8', 'utf-8'],
        ['65001', 'utf-8'], ['437', 'cp437'], ['1251\n', 'windows-1251'], ['', null], ['no such code page', null],
      ];
      for (const [text, label] of cases) {
        assert.equal(cpgEncoding(text), label, text);
      }
      assert.equal(decodeCp437(latin1('Z\x81rich \xe1')), 'Zürich ß');
    });
  });

  describe('over HTTP, from zips made by the zip command', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await server?.close();
    });

    /** A one-point Shapefile named `Zürich_Straßen`, its file names' bytes from `encode`, zipped by Info-ZIP under LANG=C. */
    const zipOfShapefile = (folder: string, encode: (suffix: string) => Buffer, cpg?: string): string => {
      const dir = join(work, folder);
      mkdirSync(dir);
      const geojson = join(work, `${folder}.geojson`);
      writeFileSync(geojson, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Bahnhofstrasse' }, geometry: { type: 'Point', coordinates: [8.54, 47.37] } }] }));
      execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-a_srs', 'EPSG:4326', join(dir, 'roads.shp'), geojson], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (cpg !== undefined) writeFileSync(join(dir, 'roads.cpg'), cpg);
      for (const file of readdirSync(dir)) {
        const suffix = file.slice('roads'.length);
        // A Buffer path: the bytes go to the file system as they are, whatever they encode.
        renameSync(join(dir, file), encode(suffix));
      }
      const zip = join(work, `${folder}.zip`);
      // The shell's glob hands zip the raw bytes; zip stores them without the UTF-8 flag.
      execFileSync('sh', ['-c', `zip -q ${JSON.stringify(zip)} *`], { cwd: dir, env: { ...process.env, LANG: 'C', LC_ALL: 'C' } });
      return zip;
    };
    const inDir = (folder: string, name: (suffix: string) => Buffer) => (suffix: string) => Buffer.concat([utf8(`${join(work, folder)}/`), name(suffix)]);

    it('gives datasources the titles their names say: UTF-8, CP437 and windows-1252 with a .cpg', async () => {
      const zips = {
        utf8: zipOfShapefile('utf8', inDir('utf8', (suffix) => utf8(`Zürich_Straßen${suffix}`))),
        cp437: zipOfShapefile('cp437', inDir('cp437', cp437Name)),
        cp1252: zipOfShapefile('cp1252', inDir('cp1252', cp1252Name), '1252'),
      };
      const raw = readFileSync(zips.cp437);
      assert.ok(raw.includes(cp437Name('.shp')), 'zip stored the CP437 bytes');
      const upload = await uploadSource(server, 'Zürich', Object.entries(zips).map(([name, path]) => ({ name: `${name}.zip`, data: readFileSync(path) })));
      assert.equal(upload.status, 201, upload.text);
      const scan = await waitForScan(server, upload.body.id as number);
      assert.equal(scan.status, 'completed', JSON.stringify(scan));
      const res = await server.request('GET', `sources/${upload.body.id}/datasources/`, { headers: { expand: 'list' } });
      assert.equal(res.status, 200, res.text);
      const found = (res.body as Array<{ title: string; upload_path: string; layer: string }>).map((d) => [d.upload_path, d.title, d.layer]).sort();
      assert.deepEqual(found, [
        ['cp1252/Zürich_Straßen.shp', 'Zürich Straßen', 'Zürich_Straßen'],
        ['cp437/Zürich_Straßen.shp', 'Zürich Straßen', 'Zürich_Straßen'],
        ['utf8/Zürich_Straßen.shp', 'Zürich Straßen', 'Zürich_Straßen'],
      ]);
    });
  });
});
