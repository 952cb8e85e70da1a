import { Export, type ExportJob, type GeoJsonPolygon } from '@mapshelf/sdk';
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { action, groupCommand, parseCount, parseCrs, remoteCommand, withExamples } from '../command.js';
import type { Context } from '../context.js';
import { readCropFile } from '../crop-file.js';
import { resolveDataItem } from '../data-items.js';
import { itemId } from '../item-ref.js';
import { downloadExport, isFolder, refuseExisting } from '../download.js';
import { ExitCode } from '../exit-codes.js';
import { chooseFormats } from '../export-formats.js';
import { formatBytes, formatDate } from '../format.js';
import { details, table, UserError, type CommandResult } from '../output.js';

interface ExportOptions {
  format?: string;
  tableFormat?: string;
  crs?: string;
  crop?: string;
  cropFeature?: string;
  name?: string;
  output: string;
  download: boolean;
  force?: boolean;
}

function exportSummary(job: ExportJob): string {
  return details([
    ['Export', job.id],
    ['Name', job.name],
    ['State', job.state === 'processing' ? `processing (${Math.round((job.progress ?? 0) * 100)}%)` : job.state],
    ['Error', job.error],
    ['CRS', job.crs],
    ['Formats', Object.values((job.formats as Record<string, string> | undefined) ?? {})],
    ['Items', ((job.items as Array<{ item: string }> | undefined) ?? []).map((i) => i.item)],
    ['Size', typeof job.size === 'number' ? formatBytes(job.size) : typeof job.size_estimate_zipped === 'number' ? `about ${formatBytes(job.size_estimate_zipped)} (estimate)` : null],
    ['Created', formatDate(job.created_at)],
    ['Expires', formatDate(job.expires_at)],
    ['Download', job.download_url],
  ]);
}

/** Waits for an export with a progress bar; throws with the server's reason if it does not complete. */
async function waitForExport(ctx: Context, job: ExportJob): Promise<ExportJob> {
  const progress = ctx.progress(`Exporting ${job.name}`, 'fraction');
  const done = await job.waitUntilComplete({ onProgress: (fraction) => progress.update(fraction) });
  progress.done(`Export ${job.id} is complete.`);
  return done;
}

/** Invalid reasons as one line, each naming the flag it came from rather than the API's field. */
function reasonsText(reasons: string[], options: ExportOptions): string {
  const flags: Array<[RegExp, string]> = [
    [/^(body\.)?extent\b:?/, options.crop ? `--crop ${options.crop}` : `--crop-feature ${options.cropFeature ?? ''}`.trim()],
    [/^(body\.)?crs\b:?/, '--crs'],
    [/^(body\.)?formats\b(\.table)?:?/, options.tableFormat ? '--table-format' : '--format'],
    [/^(body\.)?name\b:?/, '--name'],
  ];
  return reasons
    .map((reason) => {
      const flag = flags.find(([field]) => field.test(reason));
      if (!flag) return reason;
      const simplify = options.crop && /vertices/.test(reason) ? ` (e.g. ogr2ogr -simplify 0.001 simpler.geojson ${options.crop})` : '';
      return `${reason.replace(flag[0], flag[1])}${simplify}`;
    })
    .join('; ');
}

function exportCommand(): Command {
  const command = remoteCommand('export', 'Export layers or tables, reprojected and cropped, as a zip; wait for it and download it')
    .argument('<items...>', 'layer or table ids or URLs (version URLs export that version)')
    .option('-f, --format <format>', 'output format: gpkg, shp, csv, kml, geojson, fgb, gml, tab, dxf, gdb (or a mimetype); needed when there are layers')
    .option('--table-format <format>', 'format for tables, when --format has none for them: csv, gpkg, xlsx, ods')
    .option('--crs <EPSG:XXXX>', 'coordinate reference system of the output (not needed for KML or tables only)')
    .option('--crop <file>', 'crop to the polygon(s) in a GeoJSON file (longitude/latitude, at most 1,000 vertices)')
    .option('--crop-feature <url>', 'crop to a crop feature, by URL (see `mapshelf exports croplayers`)')
    .option('--name <name>', 'name of the export and its zip')
    .option('-o, --output <path>', 'folder (the zip keeps its name) or file to download to', '.')
    .option('--no-download', 'only create the export and wait for it')
    .option('--force', 'overwrite an existing file');
  withExamples(
    command,
    'mapshelf export 12 --format shp --crs EPSG:2193 --crop coast.geojson -o ./downloads/',
    'mapshelf export 12 15 --format gpkg --crs EPSG:4326 --name roads-and-rivers -o roads.zip',
    'mapshelf export 31 --format csv --json | jq .mapshelf.v1.file',
    'mapshelf export 31 --table-format xlsx',
  );
  return action(command, async (ctx, options: ExportOptions, refs: string[]): Promise<CommandResult> => {
    if (options.crop && options.cropFeature) throw new UserError('Give --crop or --crop-feature, not both.', ExitCode.usage);
    // Exports are written in EPSG CRSs (the Koordinates Export API's rule).
    const crs = parseCrs(options.crs, '--crs', ['EPSG']);
    // A file target is checked before any work; in a folder, the file is named after the export.
    if (options.download && !isFolder(options.output)) refuseExisting(resolve(options.output), options.force);
    const extent: GeoJsonPolygon | string | undefined = options.crop ? readCropFile(options.crop) : options.cropFeature;
    const items = await Promise.all(refs.map((ref) => resolveDataItem(ctx, ref)));
    const kinds = new Set(items.map((item) => (item.type === 'table' ? 'table' : 'vector')));
    const formats = chooseFormats(kinds, await ctx.client.exports.getFormats(), options.format, options.tableFormat);
    const request = new Export({ formats, ...(crs && { crs }), ...(extent && { extent }), ...(options.name && { name: options.name }) });
    for (const [i, item] of items.entries()) request.addItem(/^https?:/i.test(refs[i]!) ? refs[i]! : item.url);

    const validation = await ctx.client.exports.validate(request);
    const reasons = [...validation.invalid_reasons, ...validation.items.flatMap((i) => i.invalid_reasons.map((r) => `${i.item}: ${r}`))];
    if (!validation.is_valid) throw new UserError(`The export is not valid: ${reasonsText([...new Set(reasons)], options)}`, ExitCode.usage);
    // What the export will leave out (data outside the CRS's area of use, items the crop empties).
    for (const warning of validation.warnings ?? []) ctx.note(`Warning: ${warning}`);
    // In a folder the zip is named after the export: Mapshelf's validate says the name, so a clash is refused before any work.
    if (options.download && isFolder(options.output) && validation.name) refuseExisting(join(resolve(options.output), `${validation.name}.zip`), options.force);
    const job = await ctx.client.exports.create(request);
    ctx.note(`Created export ${job.id} (${job.name})${validation.size_estimate_zipped ? `, about ${formatBytes(validation.size_estimate_zipped)} zipped` : ''}.`);
    const complete = await waitForExport(ctx, job);
    if (!options.download) return { text: exportSummary(complete), json: { export: complete, file: null }, ids: [complete.id] };
    const { file, size } = await downloadExport(ctx, complete, options.output, options);
    return { text: file, json: { export: complete, file, size }, ids: [file] };
  });
}

function listCommand(): Command {
  const command = remoteCommand('list', 'List your exports, newest first').option('--state <state>', 'only those processing, complete, error, cancelled or gone').option('--limit <n>', 'at most this many', '20');
  return action(withExamples(command, 'mapshelf exports list --state complete'), async (ctx, options: { state?: string; limit: string }) => {
    let query = ctx.client.exports.list().expand().limit(parseCount(options.limit, '--limit')!);
    if (options.state) query = query.filter({ state: options.state });
    const jobs = await query.toArray();
    return {
      text: table(jobs, [
        { header: 'id', value: (j) => j.id, align: 'right' },
        { header: 'name', value: (j) => j.name, max: 40 },
        { header: 'state', value: (j) => (j.state === 'processing' ? `processing ${Math.round((j.progress ?? 0) * 100)}%` : j.state) },
        { header: 'size', value: (j) => (typeof j.size === 'number' ? formatBytes(j.size) : ''), align: 'right' },
        { header: 'created', value: (j) => formatDate(j.created_at) },
      ], 'No exports.'),
      json: jobs,
      ids: jobs.map((j) => j.id),
    };
  });
}

function showCommand(): Command {
  const command = remoteCommand('show', 'Show one export').argument('<id>', 'export id or URL');
  return action(withExamples(command, 'mapshelf exports show 7'), async (ctx, _options, id: string) => {
    const job = await ctx.client.exports.get(itemId(ctx, id, 'exports', 'The export'));
    return { text: exportSummary(job), json: job, ids: [job.id] };
  });
}

function cancelCommand(): Command {
  const command = remoteCommand('cancel', 'Cancel an export that is still processing').argument('<id>', 'export id or URL');
  return action(withExamples(command, 'mapshelf exports cancel 7'), async (ctx, _options, id: string) => {
    const job = await ctx.client.exports.cancel(itemId(ctx, id, 'exports', 'The export'));
    return { text: `Export ${job.id} is ${job.state}.`, json: job, ids: [job.id] };
  });
}

function downloadCommand(): Command {
  const command = remoteCommand('download', "Download an export's zip (waiting for it first); resumes a partial download")
    .argument('<id>', 'export id or URL')
    .option('-o, --output <path>', 'folder (the zip keeps its name) or file', '.')
    .option('--force', 'overwrite an existing file');
  return action(withExamples(command, 'mapshelf exports download 7 -o ./downloads/'), async (ctx, options: { output: string; force?: boolean }, id: string) => {
    let job = await ctx.client.exports.get(itemId(ctx, id, 'exports', 'The export'));
    if (job.state === 'processing') job = await waitForExport(ctx, job);
    const { file, size } = await downloadExport(ctx, job, options.output, options);
    return { text: file, json: { export: job, file, size }, ids: [file] };
  });
}

function cropLayersCommand(): Command {
  const command = remoteCommand('croplayers', 'List the crop layers and their features, whose URLs --crop-feature takes').argument('[id]', 'a crop layer id or URL: list its features');
  return action(withExamples(command, 'mapshelf exports croplayers', 'mapshelf exports croplayers 1'), async (ctx, _options, id?: string) => {
    if (id === undefined) {
      const layers = await ctx.client.exports.croplayers.list().toArray();
      return {
        text: table(layers, [
          { header: 'id', value: (l) => l.id, align: 'right' },
          { header: 'name', value: (l) => l.name, max: 40 },
          { header: 'features', value: (l) => l.feature_count, align: 'right' },
        ], 'No crop layers.'),
        json: layers,
        ids: layers.map((l) => l.id),
      };
    }
    const features = await ctx.client.exports.croplayers.listFeatures(itemId(ctx, id, 'exports/croplayers', 'The crop layer')).toArray();
    return {
      text: table(features, [
        { header: 'id', value: (f) => f.id, align: 'right' },
        { header: 'name', value: (f) => f.name, max: 40 },
        { header: 'url', value: (f) => f.url },
      ], 'No features.'),
      json: features,
      ids: features.map((f) => f.url),
    };
  });
}

export const exportCommands = [
  exportCommand,
  () => groupCommand('exports', 'Your exports: list, show, cancel, download; and crop layers', listCommand(), showCommand(), cancelCommand(), downloadCommand(), cropLayersCommand()),
];
