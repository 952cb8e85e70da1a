import { Publish, type LayerSet } from '@mapshelf/sdk';
import type { Command } from 'commander';
import { action, collect, groupCommand, remoteCommand, withExamples } from '../command.js';
import { resolveDataItem } from '../data-items.js';
import { itemId } from '../item-ref.js';
import { formatDate } from '../format.js';
import { applyListOptions, withListOptions, type ListOptions } from '../list-options.js';
import { details, table } from '../output.js';
import { publishAndWait } from '../waiting.js';

const setStatus = (set: LayerSet) => (set.published_at ? `published ${formatDate(set.published_at)}` : 'draft');

function listCommand(): Command {
  const command = withListOptions(remoteCommand('list', 'List published sets (with --drafts, the drafts you may edit)')).option('--drafts', 'list drafts instead');
  return action(withExamples(command, 'mapshelf sets list', 'mapshelf sets list --drafts --json'), async (ctx, options: ListOptions & { drafts?: boolean }) => {
    const sets = await applyListOptions((options.drafts ? ctx.client.sets.listDrafts() : ctx.client.sets.list()).expand(), options).toArray();
    return {
      text: table(sets, [
        { header: 'id', value: (s) => s.id, align: 'right' },
        { header: 'title', value: (s) => s.title, max: 40 },
        { header: 'items', value: (s) => s.items?.length, align: 'right' },
        { header: 'status', value: setStatus },
      ], 'No sets.'),
      json: sets,
      ids: sets.map((s) => s.id),
    };
  });
}

function showCommand(): Command {
  const command = remoteCommand('show', 'Show a set and its items').argument('<id>', 'set id or URL');
  return action(withExamples(command, 'mapshelf sets show 3'), async (ctx, _options, id: string) => {
    const set = await ctx.client.sets.get(itemId(ctx, id, 'sets', 'The set'), { expand: ['items'] });
    const items = await set.getItems();
    const text = details([
      ['Set', `${set.id}: ${set.title}`],
      ['Version', `${set.version.id} (${setStatus(set)})`],
      ['Description', set.description],
      ['URL', set.url],
    ]);
    const rows = table(items, [
      { header: 'type', value: (i) => i.type },
      { header: 'id', value: (i) => i.id as number, align: 'right' },
      { header: 'title', value: (i) => i.title as string, max: 50 },
    ], 'No items.');
    return { text: `${text}\n\n${rows}`, json: set, ids: items.map((i) => i.id as number) };
  });
}

function createCommand(): Command {
  const command = remoteCommand('create', 'Create a set of layers, tables and documents (a draft until published)')
    .requiredOption('--title <title>', 'title of the set')
    .option('--item <id or URL>', 'a layer or table id, or any item URL (repeatable)', collect)
    .option('--description <text>', 'description')
    .option('--publish', 'publish it at once');
  withExamples(command, 'mapshelf sets create --title "Transport" --item 12 --item 15 --publish');
  return action(command, async (ctx, options: { title: string; item?: string[]; description?: string; publish?: boolean }) => {
    const items = await Promise.all((options.item ?? []).map(async (ref) => (/^https?:/i.test(ref) ? ref : (await resolveDataItem(ctx, ref)).url)));
    let set = await ctx.client.sets.create({ title: options.title, items, ...(options.description && { description: options.description }) });
    if (options.publish) {
      await publishAndWait(ctx, new Publish().addSetItem(set), `set ${set.id}`);
      set = await set.refresh();
    }
    return { text: `Created set ${set.id}: ${set.title} (${setStatus(set)}).`, json: set, ids: [set.id] };
  });
}

function publishCommand(): Command {
  const command = remoteCommand('publish', "Publish a set's draft").argument('<id>', 'set id or URL');
  return action(withExamples(command, 'mapshelf sets publish 3'), async (ctx, _options, id: string) => {
    const setId = itemId(ctx, id, 'sets', 'The set');
    const draft = await ctx.client.sets.getVersion(setId, 'draft');
    await publishAndWait(ctx, new Publish().addSetItem(draft), `set ${setId}`);
    const set = await ctx.client.sets.get(setId);
    return { text: `Published set ${set.id}: ${set.title}.`, json: set, ids: [set.id] };
  });
}

function versionsCommand(): Command {
  const command = remoteCommand('versions', 'List the versions of a set').argument('<id>', 'set id or URL');
  return action(withExamples(command, 'mapshelf sets versions 3'), async (ctx, _options, id: string) => {
    const versions = await ctx.client.sets.listVersions(itemId(ctx, id, 'sets', 'The set')).expand().toArray();
    return {
      text: table(versions, [
        { header: 'version', value: (v) => v.version.id, align: 'right' },
        { header: 'items', value: (v) => v.items?.length, align: 'right' },
        { header: 'created', value: (v) => formatDate(v.version.created_at) },
        { header: 'published', value: (v) => formatDate(v.version.published_at) },
      ]),
      json: versions,
      ids: versions.map((v) => v.version.id),
    };
  });
}

function deleteCommand(): Command {
  const command = remoteCommand('delete', 'Delete a set (its items stay)').argument('<id>', 'set id or URL');
  return action(withExamples(command, 'mapshelf sets delete 3'), async (ctx, _options, id: string) => {
    const setId = itemId(ctx, id, 'sets', 'The set');
    await ctx.client.sets.delete(setId);
    return { text: `Deleted set ${setId}.`, json: { id: setId, deleted: true }, ids: [setId] };
  });
}

export const setsCommand = () => groupCommand('sets', 'Sets of layers, tables and documents: list, show, create, publish, versions, delete', listCommand(), showCommand(), createCommand(), publishCommand(), versionsCommand(), deleteCommand());
