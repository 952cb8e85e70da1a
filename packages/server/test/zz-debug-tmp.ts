import { readFileSync } from 'node:fs';
import { startTestServer } from './helpers/server.js';
import { uploadSource } from './helpers/uploads.js';
const server = await startTestServer({ uploadLimit: process.argv[3] ?? '2gb' });
const f = { name: 'a.geojson', data: readFileSync('/tmp/fx/countries.geojson') };
const seq = (process.argv[2] ?? 'badjson,ok,ok,ok').split(',');
const table: Record<string, any> = { nosource: { rawSource: null }, badjson: { rawSource: '{"title": ' }, bogus: { extra: { bogus: 1 } }, ok: {}, foo: { fieldNames: ['foo'] }, get: {}, twice: {files: [f, f, f]}, fieldfoo: {} };
for (const label of seq) {
  const t = Date.now();
  const ac = AbortSignal.timeout(4000);
  try {
    let p;
    if (label === 'get') p = server.request('GET', 'sources/');
    else if (label === 'fieldfoo') {
      const form = new FormData(); form.append('source', '{"title":"x"}'); form.append('foo', 'bar'); form.append('file0', new Blob([f.data]), 'a.geojson');
      p = fetch(server.api + 'sources/', { method: 'POST', body: form, headers: { authorization: 'key test-admin-token' } }).then(async (r) => ({ status: r.status, text: await r.text() }));
    } else p = uploadSource(server, 'x', table[label].files ?? [f], table[label]);
    const r = await Promise.race([p, new Promise((_, rej) => ac.addEventListener('abort', () => rej(new Error('timeout'))))]) as any;
    console.log(label, r.status, Date.now() - t);
  } catch (e) { console.log(label, 'ERR', (e as Error).message); }
}
console.log('tmp', (await import('node:fs')).readdirSync(server.dataDir + '/tmp'));
await server.close();
process.exit(0);
