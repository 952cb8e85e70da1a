/**
 * Commands build a result first and render it second: text for people, JSON under a versioned
 * key for scripts (`--json`), or one identifier per line (`--quiet`) for shell loops.
 */
export interface CommandResult {
  text: string;
  json: unknown;
  /** What `--quiet` prints, a line each: ids (every command that takes an id takes them, or URLs), or a downloaded file. */
  ids?: Array<string | number>;
  /** `--json` prints `json` as it is, not under the versioned key: for the few outputs whose shape is documented as such (an application's credentials). */
  bareJson?: boolean;
}

export type OutputMode = 'text' | 'json' | 'quiet';

export function render(result: CommandResult, mode: OutputMode): string {
  if (mode === 'json') return JSON.stringify(result.bareJson ? result.json : { mapshelf: { v1: result.json } }, null, 2);
  if (mode === 'quiet' && result.ids) return result.ids.join('\n');
  return result.text;
}

/** A failure the user can act on: printed as one line, without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A column of a text table: its header and how to show a row's cell. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  /** Cells longer than this are cut with an ellipsis. */
  max?: number;
  align?: 'left' | 'right';
}

/** Rows as an aligned text table, or `empty` when there are none. */
export function table<T>(rows: T[], columns: Array<Column<T>>, empty = 'Nothing found.'): string {
  if (!rows.length) return empty;
  const cells = rows.map((row) =>
    columns.map((column) => {
      const text = String(column.value(row) ?? '').replace(/\s+/g, ' ');
      return column.max && text.length > column.max ? `${text.slice(0, column.max - 1)}…` : text;
    }),
  );
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (columns[i]!.align === 'right' ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** `key: value` lines, aligned, skipping empty values. */
export function details(pairs: Array<[string, unknown]>): string {
  const shown = pairs.filter(([, value]) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && !value.length));
  const width = Math.max(...shown.map(([key]) => key.length));
  return shown.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${Array.isArray(value) ? value.join(', ') : String(value)}`).join('\n');
}
