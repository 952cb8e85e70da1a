/**
 * What GDAL touches when Mapshelf reads a disguised upload, watched by strace: every path the
 * process opens or stats while describing and importing each file must be the upload's own, or
 * a system file (libraries, PROJ and GDAL data). A canary file beside the upload folder, which
 * each VRT names, is never opened.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const hasStrace = spawnSync('strace', ['-V']).status === 0;
const datasets = fileURLToPath(new URL('../../src/geo/datasets.ts', import.meta.url));
const importer = fileURLToPath(new URL('../../src/geo/import.ts', import.meta.url));

describe('GDAL reads nothing but the upload', { skip: !hasStrace && !process.env.CI && 'strace is not installed (setup.sh --tests installs it)' }, () => {
  let work: string;
  let upload: string;
  let canary: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'mapshelf-strace-'));
    upload = join(work, 'sources', '7');
    mkdirSync(upload, { recursive: true });
    canary = join(work, 'canary.csv');
    writeFileSync(canary, 'lon,lat,secret\n1,2,canary\n');
    const vrt = (source: string, relative: boolean) =>
      `<OGRVRTDataSource><OGRVRTLayer name="stolen"><SrcDataSource${relative ? ' relativeToVRT="1"' : ''}>${source}</SrcDataSource><SrcLayer>canary</SrcLayer></OGRVRTLayer></OGRVRTDataSource>\n`;
    for (const ext of ['csv', 'geojson', 'json', 'gml', 'kml', 'kmz', 'gpkg', 'fgb', 'geojsonl']) {
      writeFileSync(join(upload, `relative.${ext}`), vrt('../../canary.csv', true));
      writeFileSync(join(upload, `absolute.${ext}`), vrt(canary, false));
      writeFileSync(join(upload, `vsi.${ext}`), vrt(`/vsizip/${canary}.zip/canary.csv`, false));
    }
    writeFileSync(join(upload, 'roads.shp'), vrt(canary, false));
    writeFileSync(join(upload, 'roads.shx'), Buffer.alloc(100));
    writeFileSync(join(upload, 'roads.dbf'), Buffer.alloc(33));
    writeFileSync(join(upload, 'tricky.csv'), `<OGRVRTDataSource>,lon,lat\n<OGRVRTLayer name="stolen"><SrcDataSource>${canary}</SrcDataSource><SrcLayer>canary</SrcLayer></OGRVRTLayer></OGRVRTDataSource>,1,2\n`);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('opens no file outside the upload folder while describing and importing each disguise', () => {
    const script = join(work, 'read-all.mts');
    writeFileSync(
      script,
      `import { readdirSync } from 'node:fs';
import { describeDataset } from ${JSON.stringify(datasets)};
import { importToGeoPackage } from ${JSON.stringify(importer)};
const folder = ${JSON.stringify(upload)};
let n = 0;
for (const name of readdirSync(folder).filter((f) => !/\\.(shx|dbf)$/.test(f)).sort()) {
  try {
    const layers = await describeDataset(folder + '/' + name);
    for (const layer of layers) {
      await importToGeoPackage({ source: folder + '/' + name, layerName: layer.name, destination: ${JSON.stringify(work)} + '/out' + n++ + '.gpkg', crs: 'EPSG:4326', preserveFids: false, onProgress: () => {} });
    }
    console.log(name, 'read', JSON.stringify(layers.map((l) => l.name)));
  } catch (error) {
    console.log(name, 'refused', (error as Error).message);
  }
}
`,
    );
    const trace = join(work, 'trace.txt');
    const tsx = fileURLToPath(new URL('../../../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    const output = execFileSync('strace', ['-f', '-qq', '-e', 'trace=%file', '-o', trace, process.execPath, tsx, script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const lines = output.trim().split('\n');
    assert.equal(lines.length, 29, output);
    assert.ok(!output.includes('stolen'), output);
    const opened = readFileSync(trace, 'utf8')
      .split('\n')
      .map((line) => /^\d+\s+\w+\((?:AT_FDCWD|\d+), "([^"]*)"|^\d+\s+\w+\("([^"]*)"/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => m[1] ?? m[2]!);
    assert.ok(opened.some((p) => p.startsWith(upload)), 'the trace shows the uploads being read');
    const touchedCanary = opened.filter((p) => p.startsWith(canary));
    assert.deepEqual(touchedCanary, [], 'GDAL looked at the canary beside the upload folder');
    // Within the work folder, only the upload, the import outputs (and their folder) and the script itself.
    const expected = (p: string) => p === work || p.startsWith(upload) || /\/out\d+\.gpkg/.test(p) || p.startsWith(script) || p.startsWith(trace);
    const strays = [...new Set(opened.filter((p) => p.startsWith(work) && !expected(p)))];
    assert.deepEqual(strays, [], 'paths outside the upload folder');
  });
});
