/**
 * The README's quick start is TypeScript users copy: its code blocks are type-checked against
 * the SDK's source, so a renamed method or option breaks this test rather than the reader.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;

it('type-checks every TypeScript block of the README quick start against the SDK', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 1, `expected the quick start's code, found ${blocks.length} blocks`);
  const lines = blocks.join('\n').replaceAll("from '@mapshelf/sdk'", `from '${join(root, 'packages/sdk/src/index.js')}'`).split('\n');
  // One module: the imports first, then the blocks in order; names used only for show are fine.
  const source = ['export {};', ...lines.filter((l) => l.startsWith('import ')), ...lines.filter((l) => !l.startsWith('import '))].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'mapshelf-readme-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    writeFileSync(join(dir, 'quick-start.mts'), source);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.base.json'),
        compilerOptions: { noEmit: true, composite: false, declaration: false, noUnusedLocals: false, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] },
        files: ['quick-start.mts'],
      }),
    );
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      assert.fail(`the README quick start does not type-check:\n${(error as { stdout?: string }).stdout}\n--- source ---\n${source}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
