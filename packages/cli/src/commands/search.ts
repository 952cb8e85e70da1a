import type { Command } from 'commander';
import { action, remoteCommand, withExamples } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatDate } from '../format.js';
import { applyListOptions, withListOptions, type ListOptions } from '../list-options.js';
import { table, UserError } from '../output.js';

interface SearchOptions extends ListOptions {
  bbox?: string;
  type?: string;
  latest?: boolean;
}

/** `minx,miny,maxx,maxy` in longitude/latitude, checked here so the mistake is named before any request. */
function parseBbox(text: string): string {
  const numbers = text.split(',').map((part) => Number(part.trim()));
  const [minx, miny, maxx, maxy] = numbers;
  const valid = numbers.length === 4 && numbers.every(Number.isFinite) && minx! < maxx! && miny! < maxy! && minx! >= -180 && maxx! <= 180 && miny! >= -90 && maxy! <= 90;
  if (!valid) throw new UserError(`--bbox takes minx,miny,maxx,maxy in degrees (longitude, latitude), e.g. 166,-48,179,-34; not "${text}".`, ExitCode.usage);
  return numbers.join(',');
}

export function searchCommand(): Command {
  const command = withListOptions(remoteCommand('search', 'Search the catalog: layers, tables, sets and documents you may see'))
    .argument('[text]', 'words to look for in titles, descriptions, tags, categories and field names')
    .option('--bbox <minx,miny,maxx,maxy>', 'only items whose extent intersects this box (longitude/latitude)')
    .option('--type <type>', 'only layer, table, set or document')
    .option('--latest', 'search the newest versions, drafts included (for their editors)');
  withExamples(command, 'mapshelf search roads', 'mapshelf search --bbox 172.5,-43.7,172.8,-43.4 --type layer', 'mapshelf search "land cover" --filter license.type=cc --sort -created_at --limit 5 --json');
  return action(command, async (ctx, options: SearchOptions, text?: string) => {
    let query = options.latest ? ctx.client.catalog.listLatest() : ctx.client.catalog.list();
    if (text) query = query.filter({ q: text });
    if (options.bbox) query = query.filter({ bbox: parseBbox(options.bbox) });
    if (options.type) query = query.filter({ type: options.type });
    const items = await applyListOptions(query, options).toArray();
    return {
      text: table(
        items,
        [
          { header: 'type', value: (i) => i.type },
          { header: 'id', value: (i) => i.id, align: 'right' },
          { header: 'title', value: (i) => i.title, max: 50 },
          { header: 'published', value: (i) => formatDate(i.published_at) },
          { header: 'url', value: (i) => i.url },
        ],
        'Nothing matches.',
      ),
      json: items,
      ids: items.map((i) => i.id),
    };
  });
}
