import { formatBytes, formatDuration } from './format.js';

/** What a progress display counts: bytes (sizes, rate, time left) or a 0-1 fraction of work. */
export type ProgressUnit = 'bytes' | 'fraction';

/** One long operation's progress, shown as a bar on a terminal or as plain lines in a pipe. */
export interface Progress {
  /** How far it got; `total` is null while unknown. For fractions, `value` is 0-1. */
  update(value: number, total?: number | null): void;
  /** Ends the display on a final line. */
  done(summary?: string): void;
  /** Ends the display without a summary, so an error message starts on a line of its own. */
  stop(): void;
}

interface Output {
  write(text: string): unknown;
  columns?: number;
}

/** Redraws at most this often; a bar that repaints on every chunk costs more than the transfer. */
const redrawMs = 100;
/** A pipe gets a line at each step of this size (10%), never a stream of carriage returns. */
const plainStep = 0.1;

export function createProgress(out: Output, interactive: boolean, label: string, unit: ProgressUnit): Progress {
  const started = Date.now();
  let first: number | null = null;
  let value = 0;
  let total: number | null = unit === 'fraction' ? 1 : null;
  let lastDraw = 0;
  let lastStep = -1;
  let ended = false;

  const rate = () => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0.2 && first !== null ? (value - first) / seconds : null;
  };
  const amount = () => (unit === 'bytes' ? (total !== null ? `${formatBytes(value)} / ${formatBytes(total)}` : formatBytes(value)) : '');
  const fraction = () => (total ? Math.min(1, value / total) : null);

  function bar(): string {
    const share = fraction();
    const speed = rate();
    const parts = [label];
    const width = Math.max(10, Math.min(30, (out.columns ?? 80) - label.length - 50));
    if (share !== null) {
      const filled = Math.round(share * width);
      parts.push(`[${'='.repeat(Math.max(0, filled - 1))}${filled ? (filled === width ? '=' : '>') : ''}${' '.repeat(width - filled)}]`, `${String(Math.floor(share * 100)).padStart(3)}%`);
    }
    if (unit === 'bytes') parts.push(amount());
    if (unit === 'bytes' && speed) parts.push(`${formatBytes(speed)}/s`);
    if (share !== null && speed && share < 1 && total !== null) parts.push(`ETA ${formatDuration((total - value) / speed)}`);
    return parts.join('  ');
  }

  function draw(force: boolean): void {
    const now = Date.now();
    if (interactive) {
      if (!force && now - lastDraw < redrawMs) return;
      lastDraw = now;
      // \r and "erase to end of line": the bar repaints in place.
      out.write(`\r${bar()}\x1b[K`);
      return;
    }
    const share = fraction();
    if (share === null) return;
    const step = Math.floor(share / plainStep + 1e-9);
    if (step === lastStep) return;
    lastStep = step;
    out.write(`${label}: ${Math.floor(share * 100)}%${unit === 'bytes' ? ` (${amount()})` : ''}\n`);
  }

  return {
    update(next, nextTotal) {
      if (ended) return;
      if (first === null) first = next;
      value = next;
      if (nextTotal !== undefined && unit === 'bytes') total = nextTotal;
      draw(false);
    },
    done(summary) {
      if (ended) return;
      if (total !== null) value = total;
      draw(true);
      ended = true;
      const took = formatDuration((Date.now() - started) / 1000);
      const line = summary ?? `${label}: done${unit === 'bytes' ? `, ${formatBytes(value)}` : ''} in ${took}`;
      out.write(interactive ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
    stop() {
      if (ended) return;
      ended = true;
      if (interactive && lastDraw) out.write('\n');
    },
  };
}
