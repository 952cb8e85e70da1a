/**
 * Reading exports back with GDAL and unzip, for the export tests: every export is checked by what
 * ogrinfo, gdalsrsinfo and unzip say of it, not by what the server says it wrote.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

export type Bbox = [number, number, number, number];

/** What ogrinfo reads of the one layer in a file. */
export interface ReadBack {
  name: string;
  count: number;
  extent: Bbox | null;
  /** The geometry column, as the SQLite dialect names it. */
  geometryColumn: string;
  /** The attribute fields' names. */
  fields: string[];
}

export function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** `ogrinfo -ro -so -al` of a file holding one layer; `extraArgs` go before the path. */
export function readLayer(path: string, extraArgs: string[] = []): ReadBack {
  const out = run('ogrinfo', ['-ro', '-so', '-al', ...extraArgs, path]);
  const blocks = out.split(/^Layer name: /m).slice(1);
  assert.equal(blocks.length, 1, `expected one layer in ${path}:\n${out}`);
  const block = blocks[0]!;
  const count = /^Feature Count: (\d+)$/m.exec(block)?.[1];
  assert.ok(count !== undefined, `no feature count for ${path}:\n${out}`);
  const e = /^Extent: \(([-\d.e+]+), ([-\d.e+]+)\) - \(([-\d.e+]+), ([-\d.e+]+)\)$/m.exec(block);
  return {
    name: block.slice(0, block.indexOf('\n')).trim(),
    count: Number(count),
    extent: e ? [Number(e[1]), Number(e[2]), Number(e[3]), Number(e[4])] : null,
    geometryColumn: /^Geometry Column = (.+)$/m.exec(block)?.[1]?.trim() ?? 'GEOMETRY',
    fields: [...block.matchAll(/^(\S[^:\n]*): (?:Integer64|Integer|Real|String|Date|DateTime|Time|Binary)(?:List)? /gm)].map((m) => m[1]!),
  };
}

/** The total area of a layer's geometries, by the SQLite dialect (in the layer's CRS units). */
export function areaOf(path: string, layer: ReadBack): number {
  const sql = `SELECT SUM(ST_Area("${layer.geometryColumn}")) AS total_area FROM "${layer.name}"`;
  const out = run('ogrinfo', ['-ro', '-q', '-dialect', 'SQLite', '-sql', sql, path]);
  const value = /total_area \(Real\) = ([-\d.e+]+)/.exec(out)?.[1];
  assert.ok(value !== undefined, `no area for ${path} (${sql}):\n${out}`);
  return Number(value);
}

/** The EPSG code GDAL finds for a dataset's CRS, e.g. `EPSG:2193`, or null. */
export function epsgOf(path: string): string | null {
  try {
    return /EPSG:\d+/.exec(run('gdalsrsinfo', ['-o', 'epsg', path]))?.[0] ?? null;
  } catch {
    return null;
  }
}

export function assertBboxClose(got: Bbox | null, want: Bbox, tolerance: number, what: string): void {
  assert.ok(got, `${what}: no extent`);
  got.forEach((value, i) =>
    assert.ok(Math.abs(value - want[i]!) <= tolerance, `${what}: extent ${got.join(', ')}, expected ${want.join(', ')} (±${tolerance})`),
  );
}

export function assertClose(got: number, want: number, relative: number, what: string): void {
  assert.ok(Math.abs(got - want) <= Math.abs(want) * relative, `${what}: got ${got}, expected ${want} (relative tolerance ${relative})`);
}

/** The entries of a zip, as `unzip -Z1` lists them. */
export function zipEntries(zip: string): string[] {
  return run('unzip', ['-Z1', zip]).split('\n').filter(Boolean).sort();
}
