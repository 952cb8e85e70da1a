import { Layer, LayerData, NotFound, Publish, UploadSource, type Datasource, type PublishRequest, type Source } from '@mapshelf/sdk';
import type { Command } from 'commander';
import { basename, extname } from 'node:path';
import { action, parseCrs, remoteCommand, withExamples } from '../command.js';
import type { Context, GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { describeFailure } from '../failure.js';
import { shellCommand } from '../invocation.js';
import { itemId } from '../item-ref.js';
import { formatBytes } from '../format.js';
import { table, UserError, type CommandResult } from '../output.js';
import { uploadEntries, type UploadEntry } from '../upload-files.js';
import { waitForImportShown } from '../waiting.js';

interface ImportOptions {
  title?: string;
  group?: string;
  publish?: boolean;
  wait?: boolean;
  crs?: string;
}

const describe = (ds: Datasource) =>
  `${ds.title} (${ds.data_type === 'table' ? 'table' : (ds.geometry_type ?? 'vector')}${ds.num_features !== null ? `, ${ds.num_features} feature${ds.num_features === 1 ? '' : 's'}` : ''}${ds.crs ? `, ${ds.crs}` : ''})`;

/** Uploads the files as one source. */
async function upload(ctx: Context, paths: string[], options: ImportOptions, group: number | undefined) {
  const entries = uploadEntries(paths);
  const title = options.title ?? basename(paths[0]!.replace(/\/+$/, ''), extname(paths[0]!));
  const upload = new UploadSource({ title, ...(group !== undefined && { group }) });
  for (const entry of entries) upload.addFile(entry.path, entry.name);
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const uploading = ctx.progress(`Uploading ${entries.length === 1 ? entries[0]!.name : `${entries.length} files`}`, 'bytes');
  const source = await ctx.client.sources.create(upload, { onUploadProgress: (sent) => uploading.update(sent, total) });
  uploading.done(`Uploaded ${entries.length} file${entries.length === 1 ? '' : 's'} (${formatBytes(total)}) as source ${source.id}.`);
  return { source, entries };
}

/** Waits for a new source's scan; the datasets it found. */
async function scan(ctx: Context, source: Source, entries: UploadEntry[]) {
  const scanning = ctx.progress('Scanning', 'fraction');
  const scanned = await ctx.client.sources.waitForScan(source.id, undefined, { onProgress: (fraction) => scanning.update(fraction) });
  if (scanned.status !== 'completed') {
    scanning.stop();
    // The log's ERROR lines say why, without their timestamps; the whole log is one command away.
    const errors: string[] = [];
    for await (const line of ctx.client.sources.scanLog(source.id, scanned.id)) {
      const text = line.replace(/^\S+Z /, '').trim();
      if (text.startsWith('ERROR ')) errors.push(text.slice('ERROR '.length));
    }
    const reason = errors.slice(0, 2).join('; ') || 'no reason given';
    throw new UserError(`The scan of source ${source.id} ended ${scanned.status}: ${reason}.`, ExitCode.failure);
  }
  const datasources = await ctx.client.sources.listDatasources(source.id).toArray();
  if (!datasources.length) {
    scanning.stop();
    throw new UserError(`The scan found no dataset in ${entries.map((e) => e.name).join(', ')}. Mapshelf reads what GDAL reads: GeoPackage, zipped or whole Shapefiles, GeoJSON, CSV, KML, FlatGeobuf, File Geodatabase, …`, ExitCode.failure);
  }
  scanning.done(`Scan found ${datasources.length} dataset${datasources.length === 1 ? '' : 's'}: ${datasources.map(describe).join('; ')}.`);
  return { source: await ctx.client.sources.get(source.id), datasources };
}

/** Waits for each layer's import with a bar; throws with the server's reason on the first failure. */
async function waitForImports(ctx: Context, layers: Layer[]): Promise<Layer[]> {
  const done: Layer[] = [];
  for (const layer of layers) {
    const hint = ` (${layer.type} ${layer.id}, ${layer.title}). See \`${shellCommand(`${layer.type}s show ${layer.id}`)}\`.`;
    done.push(await waitForImportShown(ctx, layer, (l) => `Imported ${l.title}: ${l.type} ${l.id}.`, hint));
  }
  return done;
}

/** Server field names in a refusal, as the flags that set them. */
const asFlags = (message: string) => message.replace(/\bbody\.data\.crs\b/g, '--crs').replace(/"crs": "([^"]*)"/g, '--crs $1').replace(/[.\s]*$/, '.');

/**
 * A run that failed before its layers were all created leaves nothing behind: the layers it made
 * and the source it uploaded are deleted. If that fails too, the message says how to do it by hand.
 */
async function cleanUp(ctx: Context, error: unknown, source: Source, layers: Layer[], options: ImportOptions & GlobalOptions): Promise<UserError> {
  const failure = describeFailure(error, ctx.connection.url);
  const profile = options.profile !== undefined ? ` --profile ${options.profile}` : '';
  const leftovers = [...layers.map((l) => `${l.type}s delete ${l.id}`), `sources delete ${source.id}`];
  try {
    for (const layer of layers) {
      await (layer.type === 'table' ? ctx.client.tables : ctx.client.layers).delete(layer.id).catch((e: unknown) => {
        if (!(e instanceof NotFound)) throw e;
      });
      leftovers.shift();
    }
    // The server removes an upload whose first scan found nothing readable; gone is as good as deleted.
    await ctx.client.sources.delete(source.id).catch((e: unknown) => {
      if (!(e instanceof NotFound)) throw e;
    });
    leftovers.shift();
  } catch (second) {
    const why = describeFailure(second, ctx.connection.url).message.replace(/[.\s]+$/, '');
    const commands = leftovers.map((args) => `\`${shellCommand(`${args}${profile}`)}\``).join(', then ');
    return new UserError(`${asFlags(failure.message)} Could not delete what this run uploaded (${why}); delete it with ${commands}.`, failure.exitCode);
  }
  return new UserError(`${asFlags(failure.message)} Deleted source ${source.id}, which this run had uploaded.`, failure.exitCode);
}

function importCommand(): Command {
  const command = remoteCommand('import', 'Upload files, scan them, and create a layer or table from each dataset found; optionally wait and publish')
    .argument('<paths...>', 'files or folders to upload together as one source (zip, gpkg, shp with its parts, geojson, csv, …)')
    .option('--title <title>', 'title of the source, and of the layer when there is one dataset (default: the first file name)')
    .option('--group <id>', 'the group that will own the source and layers, by id or URL (default: yours)')
    .option('--crs <EPSG:XXXX>', "the data's coordinate reference system, for files that don't say (e.g. a CSV of x/y columns), or to override what they say")
    .option('--wait', 'wait for the imports to finish, with progress')
    .option('--publish', 'publish the new layers and tables together once imported');
  withExamples(
    command,
    'mapshelf import roads.zip --title "Roads" --wait',
    'mapshelf import counties.csv --crs EPSG:5070 --wait',
    'mapshelf import rivers.gpkg ./parcels/ --publish --wait',
    'mapshelf import data.gpkg --publish --quiet | xargs -n1 mapshelf layers show',
  );
  return action(command, async (ctx, options: ImportOptions, paths: string[]): Promise<CommandResult> => {
    const group = options.group !== undefined ? itemId(ctx, options.group, 'groups', '--group') : undefined;
    const crs = parseCrs(options.crs);
    const { source: uploaded, entries } = await upload(ctx, paths, options, group);
    let layers: Layer[] = [];
    let source: Source;
    try {
      let datasources: Datasource[];
      ({ source, datasources } = await scan(ctx, uploaded, entries));
      for (const ds of datasources) {
        const title = datasources.length === 1 ? (options.title ?? ds.title) : options.title ? `${options.title}: ${ds.title}` : ds.title;
        const manager = ds.data_type === 'table' ? ctx.client.tables : ctx.client.layers;
        const data = new LayerData({ datasources: [ds.id], ...(crs && ds.data_type !== 'table' && { crs }) });
        layers.push(await manager.create(new Layer({ title, ...(group !== undefined && { group }), data })));
      }
    } catch (error) {
      throw await cleanUp(ctx, error, uploaded, layers, options);
    }
    let publish: PublishRequest | undefined;
    if (options.publish) {
      const request = new Publish();
      for (const layer of layers) (layer.type === 'table' ? request.addTableItem(layer) : request.addLayerItem(layer));
      publish = await ctx.client.publishing.create(request);
      if (!options.wait) ctx.note(`Publish request ${publish.id} will publish them together once they have imported.`);
    }
    if (options.wait) {
      layers = await waitForImports(ctx, layers);
      if (publish) {
        publish = await publish.waitUntilDone();
        if (publish.state !== 'completed') throw new UserError(`Publish request ${publish.id} ended ${publish.state}: ${publish.error ?? 'no reason given'}.`, ExitCode.failure);
        ctx.note(`Published ${layers.length} item${layers.length === 1 ? '' : 's'}.`);
        layers = await Promise.all(layers.map((layer) => layer.refresh()));
      }
    }
    return {
      text: table(layers, [
        { header: 'type', value: (l) => l.type },
        { header: 'id', value: (l) => l.id, align: 'right' },
        { header: 'title', value: (l) => l.title, max: 40 },
        { header: 'import', value: (l) => l.version.status },
        { header: 'url', value: (l) => l.url },
      ]),
      json: { source, layers, publish: publish ?? null },
      ids: layers.map((l) => l.id),
    };
  });
}

export { importCommand };
