import { exportFormats } from '@mapshelf/server/export-formats';
import { ExitCode } from './exit-codes.js';
import { UserError } from './output.js';

/** The formats a server offers: mimetype → display name, per data kind (`ExportsManager.getFormats`). */
export type OfferedFormats = Record<string, Record<string, string>>;

/** A `--format` value (a short name like `gpkg`, or a mimetype) as the mimetype for one kind, if offered. */
function mimetypeFor(format: string, kind: string, offered: OfferedFormats): string | undefined {
  const choices = offered[kind] ?? {};
  if (format in choices) return format;
  const known = exportFormats.find((f) => f.short === format.toLowerCase());
  return known && known.mimetype in choices ? known.mimetype : undefined;
}

function choicesText(kind: string, offered: OfferedFormats): string {
  return Object.entries(offered[kind] ?? {})
    .map(([mimetype, name]) => `${exportFormats.find((f) => f.mimetype === mimetype)?.short ?? mimetype} (${name})`)
    .join(', ');
}

/**
 * The export's `formats` for the kinds among its items: `format` for every kind that offers it,
 * `tableFormat` for tables when given (so an export of tables only needs no `format`). A kind left without
 * a format is an error naming the choices.
 */
export function chooseFormats(kinds: Set<string>, offered: OfferedFormats, format: string | undefined, tableFormat?: string): Record<string, string> {
  const formats: Record<string, string> = {};
  for (const kind of kinds) {
    const wanted = kind === 'table' && tableFormat ? tableFormat : format;
    const flag = kind === 'table' && tableFormat ? '--table-format' : '--format';
    if (wanted === undefined) {
      const what = kind === 'table' ? 'tables' : 'layers';
      throw new UserError(`Give the format for the ${what} with --format (${kind === 'table' ? 'or --table-format' : 'e.g. --format gpkg'}). Choose one of: ${choicesText(kind, offered)}.`, ExitCode.usage);
    }
    const mimetype = mimetypeFor(wanted, kind, offered);
    if (!mimetype) {
      const hint = kind === 'table' && !tableFormat ? ' Give tables their own with --table-format.' : '';
      throw new UserError(`${flag} ${wanted} can't be used for ${kind} data. Choose one of: ${choicesText(kind, offered)}.${hint}`, ExitCode.usage);
    }
    formats[kind] = mimetype;
  }
  return formats;
}
