/**
 * The README's command-line walkthrough, run as written: its shell blocks, with `npx mapshelf`
 * pointed at this build and the server and token at a test server, in an empty folder.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { runProcess } from './helpers/cli.js';

const root = new URL('../../../', import.meta.url).pathname;
const bin = join(root, 'packages/cli/dist/bin.js');
let server: TestServer;
let dir: string;

/** The shell blocks of the README section that starts with `heading`. */
function shellBlocks(heading: string): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading)).split(/\n## /)[0]!;
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

before(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'mapshelf-readme-'));
});

after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('runs the command-line walkthrough from the README', async () => {
  const blocks = shellBlocks('## The command line');
  assert.equal(blocks.length, 3, 'login, import, export');
  const script = blocks
    .join('\n')
    .replaceAll('npx mapshelf', `node ${bin}`)
    .replaceAll('http://127.0.0.1:8080', server.url)
    .replaceAll(' node_modules/', ` ${root}node_modules/`);
  // The README's first command exports the bootstrap token; its later commands use it as printed.
  const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), MAPSHELF_URL: '', MAPSHELF_TOKEN: '', MAPSHELF_BOOTSTRAP_TOKEN: adminToken };
  const { code, stdout, stderr } = await runProcess('bash', ['-euo', 'pipefail', '-c', script], { env, cwd: dir, timeoutMs: 300_000 });
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /^layer +1 +World atlas: countries +ok +http/m);
  assert.match(stdout, /^layer +2 +World atlas: land/m);
  assert.match(stderr, /^Published 2 items\.$/m);
  assert.match(stdout, /world-atlas-countries-SHP\.zip$/m);
  // What ogrinfo says of the unzipped Shapefile: New Zealand alone, cut to the box, in NZTM.
  assert.match(stdout, /Feature Count: 1\n/);
  assert.match(stdout, /NZGD2000 \/ New Zealand Transverse Mercator 2000/);
  const extent = /Extent: \(([\d.]+), ([\d.]+)\) - \(([\d.]+), ([\d.]+)\)/.exec(stdout)!.slice(1).map(Number);
  assert.ok(extent[0]! > 1_300_000 && extent[2]! < 1_700_000 && extent[1]! > 5_000_000 && extent[3]! < 5_350_000, `extent ${extent}`);
});
