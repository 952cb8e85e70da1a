import { Command } from 'commander';
import { withExamples } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UserError } from '../output.js';
import { processOptions, processVariables, storeOptions, type ProcessOptions } from '../server-options.js';

const help = `
A worker runs Mapshelf's jobs (scans, imports, exports, scheduled publishes) and nothing else: it
listens on no port. Run it beside \`mapshelf serve --no-workers\` on the same data folder; any
number of workers may share one, each taking jobs as they come (new jobs are found within a
second). Give every process the same --data-dir, and the workers the server's --export-ttl.

Each running job is held under a lease, renewed every --job-renewal; a worker that dies (kill -9,
a crash, a lost machine) holds its jobs until their lease ends (--job-lease), and then another
worker runs them again from the start. A cancel sent to the API stops the job in whichever
worker runs it within about a second. On SIGTERM or SIGINT a worker stops its running jobs and
puts them back in the queue, where another worker takes them at once.

Every flag has an environment variable: ${processVariables}.
`;

export function workerCommand(): Command {
  const command = new Command('worker').description('Run jobs (scans, imports, exports) for a Mapshelf server on the same data folder, without serving the API');
  return withExamples(
    processOptions(storeOptions(command)).addHelpText('after', help),
    'mapshelf worker --data-dir /srv/mapshelf',
    'mapshelf serve --no-workers --data-dir /srv/mapshelf &  mapshelf worker --data-dir /srv/mapshelf',
  ).action(async (options: ProcessOptions) => {
    // Loaded here, not at the top: every other command starts without GDAL and the server.
    const { ConfigError, closeOnSignals, resolveProcessConfig, serverVersion, startWorker } = await import('@mapshelf/server');
    let config, worker;
    try {
      config = resolveProcessConfig(options);
      worker = await startWorker(config);
    } catch (error) {
      throw error instanceof ConfigError ? new UserError(error.message, ExitCode.config) : error;
    }
    closeOnSignals(worker, (signal) => process.stderr.write(`mapshelf: stopped on ${signal}\n`));
    process.stderr.write(`Mapshelf ${serverVersion} is running jobs from ${config.dataDir}\n`);
  });
}
