// The benchmarks' data, generated from a seed so every run and every machine gets the same
// features: points, lines or polygons over New Zealand with a dozen typed attributes.
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rng } from './lib.mjs';

const categories = ['a', 'b', 'c', 'd'];

function properties(i, random) {
  return {
    id: i,
    name: `feature ${i}`,
    category: categories[i % 4],
    value: Math.round(random() * 1e6) / 100,
    count: Math.floor(random() * 1000),
    flag: i % 3 === 0,
    code: `C${(i * 7919) % 100000}`,
    height: random() * 3000,
    year: 1900 + (i % 125),
    ratio: random(),
    label: `L${i % 997}`,
    date: `20${String(10 + (i % 15))}-0${1 + (i % 9)}-1${i % 9}`,
  };
}

const coordinate = (x, y) => `[${x.toFixed(6)},${y.toFixed(6)}]`;

/** A feature's geometry as GeoJSON text: a point, a 5-vertex line or a closed 6-vertex ring, within 0.02° of a random spot. */
function geometry(kind, random) {
  const x = 166 + random() * 12;
  const y = -47 + random() * 13;
  if (kind === 'point') return `{"type":"Point","coordinates":${coordinate(x, y)}}`;
  const step = () => (random() - 0.5) * 0.01;
  if (kind === 'line') {
    const points = [coordinate(x, y)];
    for (let i = 1, px = x, py = y; i < 5; i++) points.push(coordinate((px += Math.abs(step())), (py += step())));
    return `{"type":"LineString","coordinates":[${points.join(',')}]}`;
  }
  const ring = [];
  for (let i = 0; i < 6; i++) {
    const a = (2 * Math.PI * i) / 6;
    const r = 0.005 + random() * 0.01;
    ring.push(coordinate(x + r * Math.cos(a), y + r * Math.sin(a)));
  }
  ring.push(ring[0]);
  return `{"type":"Polygon","coordinates":[[${ring.join(',')}]]}`;
}

/** Writes `count` features of `kind` ('point', 'line' or 'polygon') as GeoJSONSeq, streaming. */
export async function writeFeatures(path, kind, count, seed = 42) {
  const random = rng(seed);
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const line = `{"type":"Feature","properties":${JSON.stringify(properties(i, random))},"geometry":${geometry(kind, random)}}\n`;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

/** The same features as a GeoPackage layer, written by ogr2ogr. */
export function toGeoPackage(source, target, layer) {
  execFileSync('ogr2ogr', ['-f', 'GPKG', target, source, '-nln', layer, '-a_srs', 'EPSG:4326'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A regular polygon in EPSG:4326 (radii in degrees, x and y) as GeoJSON, and as WKT for ogr2ogr -clipsrc; `wobble` makes it a star. */
export function polygon({ center, radius, sides, wobble = 0 }) {
  const ring = [];
  for (let i = 0; i < sides; i++) {
    const a = (2 * Math.PI * i) / sides;
    const k = 1 + (i % 2 ? wobble : -wobble);
    ring.push([round6(center[0] + radius[0] * k * Math.cos(a)), round6(center[1] + radius[1] * k * Math.sin(a))]);
  }
  ring.push(ring[0]);
  return { geojson: { type: 'Polygon', coordinates: [ring] }, wkt: `POLYGON ((${ring.map((p) => p.join(' ')).join(', ')}))` };
}

const round6 = (n) => +n.toFixed(6);
