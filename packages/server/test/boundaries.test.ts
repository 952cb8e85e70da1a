/**
 * The layers' import rules, read from the source: the domain imports neither HTTP nor any store
 * (types included: it sees the store through `domain/ports/`), HTTP code imports no store, and
 * the engine-neutral repositories import no engine's own code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const src = fileURLToPath(new URL('../src', import.meta.url));

interface Rule {
  /** Files under this folder of src/ ... */
  from: string;
  /** ... import nothing under these. */
  forbidden: string[];
  why: string;
}

const rules: Rule[] = [
  { from: 'domain/', forbidden: ['http/', 'store/'], why: 'the domain sees the store through domain/ports/ and knows no face' },
  { from: 'http/', forbidden: ['store/'], why: 'HTTP code calls only the domain' },
  { from: 'store/repositories/', forbidden: ['store/sqlite/', 'store/postgres/'], why: 'repositories are shared by every engine; engine SQL goes through SqlDialect' },
];


function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of a file (static, type-only, re-exports and dynamic), as paths under src/. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(src, resolve(dirname(file), name)).replace(/\.js$/, '.ts'));
}

const edges = sourceFiles(src).flatMap((file) => {
  const from = relative(src, file);
  return importsOf(file).map((to) => ({ from, to, key: `${from} → ${to}` }));
});

it('reads the imports of the whole source tree', () => {
  assert.ok(edges.length > 300, `found only ${edges.length} imports`);
  assert.ok(edges.some((e) => e.key === 'domain/context.ts → domain/ports/store.ts'));
});

for (const rule of rules) {
  it(`${rule.from} imports nothing under ${rule.forbidden.join(' or ')}: ${rule.why}`, () => {
    const broken = edges.filter(
      (e) => e.from.startsWith(rule.from) && rule.forbidden.some((f) => e.to.startsWith(f)),
    );
    assert.deepEqual(broken.map((e) => e.key), []);
  });
}

