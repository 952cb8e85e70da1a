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
    let stderr = '';
    const progress = new ProgressParser();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const fraction = progress.feed(chunk);
      if (fraction !== null) options.onProgress?.(fraction);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // The end says why it failed; keep a bounded tail.
      stderr = (stderr + chunk).slice(-8192);
    });
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
      else reject(new Error(errorLines(stderr) || `ogr2ogr stopped (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** The ERROR lines of ogr2ogr's stderr, or its last line: what to tell the user. */
function errorLines(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /^(ERROR|FAILURE)/.test(l));
  return (errors.length > 0 ? errors : lines.slice(-1)).join(' ').slice(0, 1000);
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
