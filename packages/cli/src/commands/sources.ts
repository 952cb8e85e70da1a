import type { Command } from 'commander';
import { action, groupCommand, parseId, remoteCommand, withExamples } from '../command.js';
import { itemId } from '../item-ref.js';
import { formatDate } from '../format.js';
import { applyListOptions, withListOptions, type ListOptions } from '../list-options.js';
import { details, table } from '../output.js';

function listCommand(): Command {
  const command = withListOptions(remoteCommand('list', 'List the sources (uploads) you may see'));
  return action(withExamples(command, 'mapshelf sources list'), async (ctx, options: ListOptions) => {
    const sources = await applyListOptions(ctx.client.sources.list(), options).toArray();
    return {
      text: table(sources, [
        { header: 'id', value: (s) => s.id, align: 'right' },
        { header: 'title', value: (s) => s.title, max: 40 },
        { header: 'type', value: (s) => s.type },
        { header: 'last scanned', value: (s) => formatDate(s.last_scanned_at) },
      ], 'No sources.'),
      json: sources,
      ids: sources.map((s) => s.id),
    };
  });
}

function showCommand(): Command {
  const command = remoteCommand('show', 'Show a source and the datasets its scans found').argument('<id>', 'source id or URL');
  return action(withExamples(command, 'mapshelf sources show 4'), async (ctx, _options, id: string) => {
    const sourceId = itemId(ctx, id, 'sources', 'The source');
    const [source, datasources] = await Promise.all([ctx.client.sources.get(sourceId), ctx.client.sources.listDatasources(sourceId).toArray()]);
    const text = details([
      ['Source', `${source.id}: ${source.title}`],
      ['Type', source.type],
      ['Last scanned', formatDate(source.last_scanned_at)],
      ['URL', source.url],
    ]);
    const rows = table(datasources, [
      { header: 'id', value: (d) => d.id, align: 'right' },
      { header: 'dataset', value: (d) => d.title, max: 40 },
      { header: 'kind', value: (d) => (d.data_type === 'table' ? 'table' : (d.geometry_type ?? d.data_type)) },
      { header: 'features', value: (d) => d.num_features, align: 'right' },
      { header: 'crs', value: (d) => d.crs },
      { header: 'file', value: (d) => d.upload_path, max: 40 },
    ], 'No datasets found yet.');
    return { text: `${text}\n\n${rows}`, json: { ...source, datasources }, ids: datasources.map((d) => d.id) };
  });
}

function scansCommand(): Command {
  const command = remoteCommand('scans', "List a source's scans, newest first").argument('<id>', 'source id or URL');
  return action(withExamples(command, 'mapshelf sources scans 4'), async (ctx, _options, id: string) => {
    const scans = await ctx.client.sources.listScans(itemId(ctx, id, 'sources', 'The source')).toArray();
    return {
      text: table(scans, [
        { header: 'scan', value: (s) => s.id, align: 'right' },
        { header: 'status', value: (s) => s.status },
        { header: 'added', value: (s) => s.change_counts.added, align: 'right' },
        { header: 'updated', value: (s) => s.change_counts.updated, align: 'right' },
        { header: 'deleted', value: (s) => s.change_counts.deleted, align: 'right' },
        { header: 'completed', value: (s) => formatDate(s.completed_at) },
      ], 'No scans.'),
      json: scans,
      ids: scans.map((s) => s.id),
    };
  });
}

function scanCommand(): Command {
  const command = remoteCommand('scan', 'Scan a source again, to pick up changed files').argument('<id>', 'source id or URL').option('--wait', 'wait for the scan, with progress');
  return action(withExamples(command, 'mapshelf sources scan 4 --wait'), async (ctx, options: { wait?: boolean }, id: string) => {
    const sourceId = itemId(ctx, id, 'sources', 'The source');
    let scan = await ctx.client.sources.startScan(sourceId);
    if (options.wait) {
      const scanning = ctx.progress('Scanning', 'fraction');
      scan = await ctx.client.sources.waitForScan(sourceId, scan.id, { onProgress: (f) => scanning.update(f) });
      scanning.done(`Scan ${scan.id} ${scan.status}.`);
    }
    return { text: `Scan ${scan.id} of source ${sourceId}: ${scan.status}.`, json: scan, ids: [scan.id] };
  });
}

function logCommand(): Command {
  const command = remoteCommand('log', "Print a scan's log (the newest scan unless one is given)").argument('<id>', 'source id or URL').argument('[scan]', 'scan id');
  return action(withExamples(command, 'mapshelf sources log 4', 'mapshelf sources log 4 2'), async (ctx, _options, id: string, scanId?: string) => {
    const sourceId = itemId(ctx, id, 'sources', 'The source');
    const scan = scanId !== undefined ? parseId(scanId, 'The scan id') : (await ctx.client.sources.listScans(sourceId).first())?.id;
    const lines: string[] = [];
    // Printed as they arrive, so a running scan's log can be followed; the result repeats them only as JSON.
    if (scan !== undefined) {
      for await (const line of ctx.client.sources.scanLog(sourceId, scan)) {
        lines.push(line);
        if (ctx.mode === 'text') ctx.io.stdout.write(`${line}\n`);
      }
    }
    return { text: '', json: { source: sourceId, scan: scan ?? null, lines }, ids: [] };
  });
}

function deleteCommand(): Command {
  const command = remoteCommand('delete', 'Delete a source (its layers keep their imported data)').argument('<id>', 'source id or URL');
  return action(withExamples(command, 'mapshelf sources delete 4'), async (ctx, _options, id: string) => {
    const sourceId = itemId(ctx, id, 'sources', 'The source');
    await ctx.client.sources.delete(sourceId);
    return { text: `Deleted source ${sourceId}.`, json: { id: sourceId, deleted: true }, ids: [sourceId] };
  });
}

export const sourcesCommand = () =>
  groupCommand('sources', 'Sources (uploaded files): list, show, scans, scan, log, delete', listCommand(), showCommand(), scansCommand(), scanCommand(), logCommand(), deleteCommand());
