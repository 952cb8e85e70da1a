/** How numbers read in the terminal: sizes, durations, dates. */

const units = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 kB" (powers of 1000, as disks and networks count). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** 3725 s → "1h02m", 65 → "1m05s", 7 → "7s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** An ISO timestamp as "2026-11-22 15:04" (UTC), or "" for none. */
export function formatDate(iso: unknown): string {
  return typeof iso === 'string' && iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '';
}
