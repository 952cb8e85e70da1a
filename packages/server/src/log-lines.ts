/**
 * A pino destination for a person at a terminal: one readable line per request and per message,
 * instead of JSON. `--log-format json` (or a pipe) keeps pino's JSON for log collectors.
 *
 *   14:03:27 GET /services/api/v1/layers/ 200 4 ms
 *   14:03:29 WARN export 7 failed: …
 */

const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

interface LogRecord {
  level?: number;
  time?: number;
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { message?: string; stack?: string };
}

/** Requests seen arriving and not yet answered, by request id; bounded, in case some never complete. */
const pendingLimit = 10_000;

/** A pino destination writing readable lines to `out` (standard output by default). */
export function readableLogLines(out: { write(text: string): unknown } = process.stdout): { write(line: string): void } {
  const pending = new Map<string, { method: string; url: string }>();
  const clock = (time: number | undefined) => new Date(time ?? Date.now()).toTimeString().slice(0, 8);
  return {
    write(line: string) {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        out.write(line);
        return;
      }
      // Fastify logs a request twice, arriving and answered: keep the first's method and URL for the second.
      if (record.msg === 'incoming request' && record.reqId && record.req) {
        if (pending.size >= pendingLimit) pending.delete(pending.keys().next().value!);
        pending.set(record.reqId, { method: record.req.method ?? '?', url: record.req.url ?? '?' });
        return;
      }
      if (record.msg === 'request completed' && record.reqId) {
        const req = pending.get(record.reqId);
        pending.delete(record.reqId);
        const time = record.responseTime === undefined ? '' : ` ${record.responseTime < 10 ? record.responseTime.toFixed(1) : Math.round(record.responseTime)} ms`;
        out.write(`${clock(record.time)} ${req ? `${req.method} ${req.url}` : `request ${record.reqId}`} ${record.res?.statusCode ?? '?'}${time}\n`);
        return;
      }
      const level = levels[record.level ?? 30] ?? 'INFO';
      const error = record.err ? `\n${record.err.stack ?? record.err.message ?? ''}` : '';
      out.write(`${clock(record.time)} ${level === 'INFO' ? '' : `${level} `}${record.msg ?? ''}${error}\n`);
    },
  };
}

/** The logger options of every process role: none when silent, readable lines for `pretty`, else pino's JSON. */
export function loggerOptions(config: { logLevel: string; logFormat: 'pretty' | 'json' }) {
  return config.logLevel === 'silent' ? false : { level: config.logLevel, ...(config.logFormat === 'pretty' && { stream: readableLogLines() }) };
}
