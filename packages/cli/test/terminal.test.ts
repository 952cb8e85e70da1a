/**
 * The CLI in a real terminal: tmux runs `mapshelf import` and `mapshelf export` in a pane, records
 * every byte they write, and shows what a person would see at the end. Bars must have been drawn
 * in place, and must have left only their summary lines behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { writePointGrid } from '../../server/test/helpers/published-layers.js';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const socket = `mapshelf-test-${process.pid}`;
let server: TestServer;
let dir: string;

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command line in a fresh 120×40 pane; resolves with the raw bytes written and the final screen. */
async function inTerminal(name: string, commandLine: string): Promise<{ raw: string; screen: string }> {
  const raw = join(dir, `${name}.raw`);
  const env = { XDG_CONFIG_HOME: join(dir, 'config'), MAPSHELF_URL: server.url, MAPSHELF_TOKEN: adminToken };
  const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v}';`).join(' ');
  tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', 'bash --norc --noprofile');
  tmux('pipe-pane', '-t', name, '-o', `cat >> '${raw}'`);
  tmux('send-keys', '-t', name, `${exports} cd '${dir}'; clear; ${commandLine}; echo "EXIT=$?"`, 'Enter');
  const deadline = Date.now() + 90_000;
  let screen = '';
  while (Date.now() < deadline) {
    await sleep(200);
    screen = tmux('capture-pane', '-p', '-t', name);
    if (/^EXIT=\d+/m.test(screen)) break;
  }
  tmux('kill-session', '-t', name);
  return { raw: readFileSync(raw, 'utf8'), screen };
}

before(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'mapshelf-tty-'));
  writePointGrid(dir, { columns: 120, rows: 100 });
  writeFileSync(join(dir, 'crop.geojson'), JSON.stringify({ type: 'Polygon', coordinates: [[[168, -47], [176, -47], [176, -40], [168, -40], [168, -47]]] }));
});

after(async () => {
  try {
    tmux('kill-server');
  } catch {
    // no server left to kill
  }
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('draws upload, scan and import bars in place, and leaves only their summaries', async () => {
  const { raw, screen } = await inTerminal('import', `node ${bin} import points.gpkg --title Grid --publish --wait`);
  assert.match(screen, /^EXIT=0$/m, screen);
  // Drawn in place: a carriage return, the bar, then "erase to end of line".
  assert.match(raw, /\rUploading points\.gpkg {2}\[[=> ]+\] +\d+%/);
  assert.match(raw, /\rImporting Grid {2}\[[=> ]+\] +\d+%/);
  assert.match(raw, /\x1b\[K/);
  assert.match(screen, /^Uploaded 1 file \([\d.]+ [kM]B\) as source \d+\.$/m);
  assert.match(screen, /^Scan found 1 dataset: points \(Point, 12000 features, EPSG:4326\)\.$/m);
  assert.match(screen, /^Imported Grid: layer \d+\.$/m);
  assert.match(screen, /^Published 1 item\.$/m);
  assert.doesNotMatch(screen, /\[[=> ]{5,}\]/, 'no bar is left on the screen');
});

it('draws the export and download bars, and the zip arrives', async () => {
  const layers = await server.request('GET', 'layers/');
  const id = layers.body[0].id as number;
  const { raw, screen } = await inTerminal('export', `node ${bin} export ${id} --format shp --crs EPSG:2193 --crop crop.geojson -o grid.zip`);
  assert.match(screen, /^EXIT=0$/m, screen);
  assert.match(raw, /\rExporting grid-SHP {2}\[[=> ]+\] +\d+%/);
  assert.match(raw, /\rDownloading grid-SHP\.zip {2}\[[=> ]+\] +\d+% {2}[\d.]+ kB \/ [\d.]+ kB/);
  assert.match(screen, /^Export \d+ is complete\.$/m);
  assert.match(screen, new RegExp(`^Downloaded ${dir}/grid\\.zip \\([\\d.]+ kB\\)\\.$`, 'm'));
  assert.doesNotMatch(screen, /\[[=> ]{5,}\]/, 'no bar is left on the screen');
  const listing = execFileSync('unzip', ['-l', join(dir, 'grid.zip')], { encoding: 'utf8' });
  assert.match(listing, /grid\/grid\.shp/);
});
