import { Publish, type Layer, type LayersManager } from '@mapshelf/sdk';
import type { Command } from 'commander';
import { action, groupCommand, parseId, remoteCommand, withExamples } from '../command.js';
import { itemId, itemRef } from '../item-ref.js';
import type { Context } from '../context.js';
import { formatDate } from '../format.js';
import { applyListOptions, withListOptions, type ListOptions } from '../list-options.js';
import { details, table, type Column } from '../output.js';
import { publishAndWait, waitForImportShown } from '../waiting.js';

type Kind = 'layers' | 'tables';

const manager = (ctx: Context, kind: Kind): LayersManager => (kind === 'layers' ? ctx.client.layers : ctx.client.tables);

const corner = (point: number[]) => point.map((n) => Number(n.toFixed(6))).join(', ');

function layerDetails(layer: Layer): string {
  const extent = layer.data.extent as { coordinates?: number[][][] } | null | undefined;
  const ring = extent?.coordinates?.[0];
  return details([
    [layer.type === 'table' ? 'Table' : 'Layer', `${layer.id}: ${layer.title}`],
    ['Version', `${layer.version.id} (${layer.version.status}${layer.version.status === 'importing' ? ` ${Math.round((layer.version.progress ?? 0) * 100)}%` : ''}${layer.published_at ? `, published ${formatDate(layer.published_at)}` : ', draft'})`],
    ['Error', layer.version.error],
    ['Geometry', layer.data.geometry_type],
    ['CRS', layer.data.crs],
    ['Features', layer.data.feature_count],
    ['Fields', (layer.data.fields ?? []).map((f) => `${f.name} (${f.type})`)],
    ['Extent', ring ? `${corner(ring[0]!)} to ${corner(ring[2]!)} (longitude, latitude)` : null],
    ['Tags', layer.tags],
    ['Description', layer.description],
    ['URL', layer.url],
  ]);
}

/** What a list row shows: lists carry summaries (no fields, counts or extent; `show` has those). */
const status = (l: Layer) => (l.published_at ? 'published' : l.version.status === 'ok' ? 'draft' : l.version.status);
const listColumns: Array<Column<Layer>> = [
  { header: 'id', value: (l) => l.id, align: 'right' },
  { header: 'title', value: (l) => l.title, max: 50 },
  { header: 'status', value: status },
  { header: 'published', value: (l) => formatDate(l.published_at) },
  { header: 'url', value: (l) => l.url },
];

/** Waits for a version's import with a bar; then, if asked, publishes it and waits for that. */
async function importThenPublish(ctx: Context, version: Layer, publish: boolean): Promise<Layer> {
  const current = await waitForImportShown(ctx, version, (v) => `Imported version ${v.version.id} of ${v.title}.`);
  if (!publish) return current;
  await publishAndWait(ctx, new Publish().addLayerItem(current), `version ${current.version.id}`);
  ctx.note(`Published version ${current.version.id}.`);
  return current.refresh();
}

function listCommand(kind: Kind): Command {
  const command = withListOptions(remoteCommand('list', `List published ${kind} (with --drafts, the drafts you may edit)`)).option('--drafts', 'list drafts instead');
  return action(withExamples(command, `mapshelf ${kind} list --sort -created_at --limit 5`, `mapshelf ${kind} list --drafts --quiet`), async (ctx, options: ListOptions & { drafts?: boolean }) => {
    const all = options.drafts ? manager(ctx, kind).listDrafts() : manager(ctx, kind).list();
    // The API's layers/ lists tables too (Koordinates' Layers & Tables API); `layers` here means vector layers.
    const query = kind === 'layers' ? all.filter({ type: 'layer' }) : all;
    const layers = await applyListOptions(query, options).toArray();
    return { text: table(layers, listColumns, `No ${kind}.`), json: layers, ids: layers.map((l) => l.id) };
  });
}

function showCommand(kind: Kind): Command {
  const command = remoteCommand('show', `Show one of the ${kind}: its version, CRS, fields and extent`).argument('<id>', `${kind.slice(0, -1)} id or URL`).option('--version <id>', 'a version id, or draft or published');
  return action(withExamples(command, `mapshelf ${kind} show 12`, `mapshelf ${kind} show 12 --version draft --json`), async (ctx, options: { version?: string }, id: string) => {
    const ref = itemRef(ctx, id, kind, `The ${kind.slice(0, -1)}`);
    const layerId = ref.id;
    const version = options.version === undefined ? ref.version : options.version === 'draft' || options.version === 'published' ? options.version : parseId(options.version, '--version');
    const layer = version === undefined ? await manager(ctx, kind).get(layerId) : await manager(ctx, kind).getVersion(layerId, version);
    return { text: layerDetails(layer), json: layer, ids: [layer.id] };
  });
}

function versionsCommand(kind: Kind): Command {
  const command = remoteCommand('versions', `List the versions of one of the ${kind}`).argument('<id>', `${kind.slice(0, -1)} id or URL`);
  return action(withExamples(command, `mapshelf ${kind} versions 12`), async (ctx, _options, id: string) => {
    const versions = await manager(ctx, kind).listVersions(itemId(ctx, id, kind, `The ${kind.slice(0, -1)}`)).toArray();
    return {
      text: table(versions, [
        { header: 'version', value: (v) => v.version.id, align: 'right' },
        { header: 'status', value: status },
        { header: 'published', value: (v) => formatDate(v.published_at) },
        { header: 'url', value: (v) => v.version.url },
      ]),
      json: versions,
      ids: versions.map((v) => v.version.id),
    };
  });
}

function publishCommand(kind: Kind): Command {
  const command = remoteCommand('publish', `Publish a draft of one of the ${kind} (waiting for its import)`).argument('<id>', `${kind.slice(0, -1)} id or URL`).option('--version <id>', 'the version to publish (default: the draft)');
  return action(withExamples(command, `mapshelf ${kind} publish 12`), async (ctx, options: { version?: string }, id: string) => {
    const ref = itemRef(ctx, id, kind, `The ${kind.slice(0, -1)}`);
    const draft = await manager(ctx, kind).getVersion(ref.id, options.version === undefined ? (ref.version ?? 'draft') : parseId(options.version, '--version'));
    const published = await importThenPublish(ctx, draft, true);
    return { text: layerDetails(published), json: published, ids: [published.id] };
  });
}

function updateCommand(kind: Kind): Command {
  const command = remoteCommand('update', `Import the sources of one of the ${kind} again into a new draft version`)
    .argument('<id>', `${kind.slice(0, -1)} id or URL`)
    .option('--wait', 'wait for the import, with progress')
    .option('--publish', 'publish the new version once imported (implies --wait)');
  return action(withExamples(command, `mapshelf ${kind} update 12 --publish`), async (ctx, options: { wait?: boolean; publish?: boolean }, id: string) => {
    let version = await manager(ctx, kind).startUpdate(itemId(ctx, id, kind, `The ${kind.slice(0, -1)}`));
    ctx.note(`Started version ${version.version.id} of ${version.title}.`);
    if (options.wait || options.publish) version = await importThenPublish(ctx, version, Boolean(options.publish));
    return { text: layerDetails(version), json: version, ids: [version.version.id] };
  });
}

function deleteCommand(kind: Kind): Command {
  const command = remoteCommand('delete', `Delete one of the ${kind} with all its versions`).argument('<id>', `${kind.slice(0, -1)} id or URL`);
  return action(withExamples(command, `mapshelf ${kind} delete 12`), async (ctx, _options, id: string) => {
    const layerId = itemId(ctx, id, kind, `The ${kind.slice(0, -1)}`);
    await manager(ctx, kind).delete(layerId);
    return { text: `Deleted ${kind.slice(0, -1)} ${layerId}.`, json: { id: layerId, deleted: true }, ids: [layerId] };
  });
}

function dataCommand(kind: Kind, description: string): Command {
  return groupCommand(kind, description, listCommand(kind), showCommand(kind), versionsCommand(kind), publishCommand(kind), updateCommand(kind), deleteCommand(kind));
}

export const layersCommand = () => dataCommand('layers', 'Vector layers: list, show, versions, publish, update, delete');
export const tablesCommand = () => dataCommand('tables', 'Tables (data without geometry): list, show, versions, publish, update, delete');
