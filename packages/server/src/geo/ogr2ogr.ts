import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gdalChildEnv } from './gdal.js';

export interface Ogr2ogrOptions {
  /** Kills the process: the promise then rejects with the signal's reason. */
  signal: AbortSignal;
  /** 0-1, as ogr2ogr reports it. */
  onProgress?: (fraction: number) => void;
}

// A child that outlives a killed server would go on writing into a deleted scratch folder;
// setpriv (util-linux) makes the kernel kill it with its parent.
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/**
 * Runs ogr2ogr as a child process. gdal-async's vectorTranslate can't be interrupted (its
 * progress callback can't abort) and holds a libuv thread for the whole run; a process can be
 * killed at once on cancel, and its memory is not the server's.
 */
export function ogr2ogr(args: string[], options: Ogr2ogrOptions): Promise<void> {
  const command = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', 'ogr2ogr'] : ['ogr2ogr'];
  return new Promise((resolve, reject) => {
    options.signal.throwIfAborted();
    const child = spawn(command[0]!, [...command.slice(1), '-progress', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: gdalChildEnv({ CPL_LOG_ERRORS: 'ON' }),
    });
    const errors = new GdalErrorLog();
    const progress = new ProgressParser();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const fraction = progress.feed(chunk);
      if (fraction !== null) options.onProgress?.(fraction);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => errors.feed(chunk));
    const abort = () => child.kill('SIGKILL');
    options.signal.addEventListener('abort', abort, { once: true });
    child.on('error', (error) => {
      options.signal.removeEventListener('abort', abort);
      reject(new Error(`could not run ogr2ogr (${error.message}); install gdal-bin`));
    });
    child.on('close', (code, signal) => {
      options.signal.removeEventListener('abort', abort);
      if (options.signal.aborted) reject(options.signal.reason);
      else if (code === 0) resolve();
      else reject(new Error(errors.summary() || `ogr2ogr stopped (${signal ?? `exit code ${code}`})`));
    });
  });
}

/**
 * What ogr2ogr's stderr says went wrong, to tell the user: each distinct ERROR (or FAILURE)
 * message once, in the order first seen, with how many times it came (`ERROR 1: Point outside
 * of projection domain (×19)`); a message GDAL wrapped onto further lines is joined back into
 * one. Without any, the last line. Read as the child writes, so a long run's first errors are
 * not lost to a tail; bounded in the messages it keeps and in the summary's length, which is
 * cut only between whole messages.
 */
export class GdalErrorLog {
  private static readonly maxMessages = 50;
  private static readonly maxMessageLength = 500;
  private static readonly maxSummaryLength = 2000;
  private readonly counts = new Map<string, number>();
  private dropped = 0;
  private partial = '';
  private current: string | null = null;
  private last = '';

  feed(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    // A line without its end can grow without bound; cut it into a separate line.
    if (this.partial.length > GdalErrorLog.maxMessageLength * 4) {
      lines.push(this.partial);
      this.partial = '';
    }
    for (const line of lines) this.line(line);
  }

  private line(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    if (/^(ERROR|FAILURE)\b/.test(line)) {
      this.flush();
      this.current = line;
    } else if (this.current !== null && !/^(Warning|INFO)\b/.test(line)) {
      this.current = `${this.current} ${line}`;
    } else {
      this.flush();
      this.last = line.slice(0, GdalErrorLog.maxMessageLength);
    }
  }

  private flush(): void {
    if (this.current === null) return;
    let message = this.current.replace(/\s+/g, ' ');
    if (message.length > GdalErrorLog.maxMessageLength) message = `${message.slice(0, GdalErrorLog.maxMessageLength).replace(/\s+\S*$/, '')} …`;
    this.current = null;
    const seen = this.counts.get(message);
    if (seen !== undefined) this.counts.set(message, seen + 1);
    else if (this.counts.size < GdalErrorLog.maxMessages) this.counts.set(message, 1);
    else this.dropped++;
  }

  /** One line per distinct message, with its count when it came more than once. */
  summary(): string {
    if (this.partial) {
      this.line(this.partial);
      this.partial = '';
    }
    this.flush();
    if (this.counts.size === 0) return this.last;
    const lines: string[] = [];
    let length = 0;
    let left = this.dropped;
    for (const [message, count] of this.counts) {
      const line = count > 1 ? `${message} (×${count})` : message;
      if (lines.length > 0 && length + line.length + 1 > GdalErrorLog.maxSummaryLength) left += count;
      else {
        lines.push(line);
        length += line.length + 1;
      }
    }
    if (left > 0) lines.push(`(and ${left} more error${left === 1 ? '' : 's'})`);
    return lines.join('\n');
  }
}

/**
 * Reads GDAL's terminal progress, `0...10...20...` up to `100 - done.`: a number every 10%,
 * and a dot every 2.5% between them.
 */
export class ProgressParser {
  private tens = 0;
  private dots = 0;

  /** The fraction after this chunk, or null if it holds no progress. */
  feed(chunk: string): number | null {
    let changed = false;
    for (const match of chunk.matchAll(/(\d+)|(\.)/g)) {
      if (match[1] !== undefined) {
        this.tens = Number(match[1]);
        this.dots = 0;
      } else this.dots++;
      changed = true;
    }
    return changed ? Math.min(1, (this.tens + 2.5 * Math.min(3, this.dots)) / 100) : null;
  }
}
