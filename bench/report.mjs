// Results as people read them: one Markdown table row per measured row, with its target check.
import { median, round } from './lib.mjs';

/**
 * A timed comparison: medians of both sides, their ratio, and the checks against the targets.
 * `ratioMax` is the target ratio; `rss` the peaks measured during the row; `rssMax` in MB.
 */
export function comparison(label, times, { ratioMax, rss, rssMax, notes } = {}) {
  const m = median(times.mapshelf);
  const r = median(times.reference);
  const ratio = round(m / r, 2);
  const checks = [];
  if (ratioMax !== undefined) checks.push({ name: 'ratio', value: ratio, target: `≤ ${ratioMax}`, ok: ratio <= ratioMax });
  if (rssMax !== undefined && rss) checks.push({ name: 'server RSS', value: `${rss.server_mb} MB`, target: `< ${rssMax} MB`, ok: rss.server_mb < rssMax });
  return {
    label,
    mapshelf: `${m.toFixed(2)} s`,
    reference: `${r.toFixed(2)} s`,
    ratio,
    rss,
    checks,
    data: { mapshelf_s: times.mapshelf.map((x) => round(x)), reference_s: times.reference.map((x) => round(x)), median_mapshelf_s: round(m), median_reference_s: round(r) },
    ...(notes && { notes }),
  };
}

const cell = (value) => String(value ?? '').replace(/\|/g, '\\|');

/** The server's peak, or each process's when a row ran several (`processes_mb`). */
const rssCell = (rss) => (rss.processes_mb ? rss.processes_mb.map((mb) => `${mb} MB`).join(' + ') : `${rss.server_mb} MB`);

/** A store as the table's heading names it: its version, and for PostgreSQL the settings that weigh on the times. */
function storeLine(store) {
  if (store.kind === 'sqlite') return `SQLite ${store.version}`;
  const { fsync, synchronous_commit, shared_buffers } = store.settings;
  return `PostgreSQL ${store.version} (PostGIS ${store.postgis}, fsync ${fsync}, synchronous_commit ${synchronous_commit}, shared_buffers ${shared_buffers}; ${store.cluster})`;
}

export function renderTable(report) {
  const lines = [
    `Mapshelf benchmarks, ${report.mode} run of ${report.date.slice(0, 16).replace('T', ' ')} UTC: ${report.machine.cores} cores, ${report.machine.memory_gb} GB, GDAL ${report.machine.gdal}, Node ${report.machine.node}`,
    `Stores: ${report.stores.map(storeLine).join('; ')}`,
    '',
    '| case | store | row | Mapshelf | reference | ratio | peak server RSS | target | met |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of report.cases) {
    if (c.error) lines.push(`| ${c.id} | ${c.store} | failed: ${cell(c.error.split('\n')[0])} | | | | | ${cell(c.target)} | no |`);
    for (const row of c.rows) {
      const checks = row.checks.map((k) => `${k.name} ${k.value} ${k.target}`).join('; ');
      const met = row.checks.length ? (row.checks.every((k) => k.ok) ? 'yes' : 'no') : '(no target)';
      lines.push(`| ${c.id} | ${c.store} | ${cell(row.label)} | ${cell(row.mapshelf)} | ${cell(row.reference)} | ${row.ratio ?? ''} | ${row.rss ? rssCell(row.rss) : ''} | ${cell(checks || c.target)} | ${met} |`);
    }
  }
  return lines.join('\n');
}
