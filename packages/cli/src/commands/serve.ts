import { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { shellCommand } from '../invocation.js';
import { UserError } from '../output.js';
import { processOptions, processVariables, storeOptions, type ProcessOptions } from '../server-options.js';

const help = `
The data folder (--data-dir, default ./mapshelf-data) holds everything the server keeps: the
SQLite catalog database (catalog.sqlite, in WAL mode) and, as layers arrive, their data files.
It is created on first start and migrated automatically when you upgrade. Back it up as a whole.
One server at a time: a running server holds server.lock there (its process id), and a second
one on the same folder is refused.

Jobs (scans, imports, exports) run in the server process. To run them in processes of their own,
start the server with --no-workers and any number of \`mapshelf worker\` processes on the same
data folder; with no worker running, jobs wait in the queue.

Tokens: every API call needs 'Authorization: key <token>'. On first start, set
MAPSHELF_BOOTSTRAP_TOKEN to a generated secret (openssl rand -hex 32) to create an admin user
holding that token with every scope; one shorter than 20 characters or with under about 80 bits
of randomness is refused, since tokens are stored as plain SHA-256 hashes. Without it, create the first admin token offline, even while the server runs:
  mapshelf token create --admin --data-dir ./mapshelf-data

Ports and proxies: the server listens on --host (default 127.0.0.1, this machine only) and
--port (default 8080); use --host 0.0.0.0 to accept other machines. Behind a reverse proxy,
give --public-url https://data.example.org so every URL in responses points at the proxy, or
--trust-proxy with the proxy's address to take X-Forwarded-Proto/Host from it. To serve HTTPS
directly, give --tls-cert and --tls-key (PEM files).

Every flag has an environment variable: MAPSHELF_HOST, MAPSHELF_PORT,
MAPSHELF_PUBLIC_URL, MAPSHELF_TRUST_PROXY, MAPSHELF_TLS_CERT, MAPSHELF_TLS_KEY,
MAPSHELF_BODY_LIMIT, MAPSHELF_UPLOAD_LIMIT, MAPSHELF_EXTRACT_LIMIT, MAPSHELF_CORS_ORIGINS,
MAPSHELF_HEADERS_TIMEOUT, MAPSHELF_IDLE_TIMEOUT, MAPSHELF_REQUEST_TIMEOUT,
MAPSHELF_MAX_CONNECTIONS_PER_CLIENT, MAPSHELF_WORKERS (false for --no-workers),
${processVariables}.

Slow clients: headers must arrive within --headers-timeout (30s); a connection silent for
--idle-timeout (60s) while the server waits on the client is closed; a whole request must
arrive within --request-timeout (5m), except uploads to /sources/ and /documents/, which only
have the idle limit. One client address may hold --max-connections-per-client (64) open
connections; behind --trust-proxy every client has the proxy's address, so it is off (0)
there unless given: let the proxy limit its clients.

Examples:
  export MAPSHELF_BOOTSTRAP_TOKEN=$(openssl rand -hex 32)
  mapshelf serve --port 8080 --data-dir /srv/mapshelf
  curl -H "Authorization: key $MAPSHELF_BOOTSTRAP_TOKEN" http://127.0.0.1:8080/services/api/v1/users/
  mapshelf serve --no-workers --data-dir /srv/mapshelf &   # the API alone, and
  mapshelf worker --data-dir /srv/mapshelf                 # jobs in a process of their own
`;

interface ServeOptions extends ProcessOptions {
  host?: string;
  port?: string;
  /** False with --no-workers. */
  workers: boolean;
  publicUrl?: string;
  trustProxy?: string;
  tlsCert?: string;
  tlsKey?: string;
  bodyLimit?: string;
  uploadLimit?: string;
  extractLimit?: string;
  hostedFileLimit?: string;
  corsOrigins?: string;
  headersTimeout?: string;
  idleTimeout?: string;
  requestTimeout?: string;
  maxConnectionsPerClient?: string;
}

export function serveCommand(): Command {
  const command = new Command('serve')
    .description('Start the Mapshelf server on a local data folder (SQLite catalog + files)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--port <number>', 'port to listen on (default 8080)');
  return processOptions(storeOptions(command))
    .option('--no-workers', 'serve the API only, and leave jobs to `mapshelf worker` processes on the same data folder')
    .option('--public-url <url>', 'public base URL for links, e.g. https://data.example.org')
    .option('--trust-proxy <addresses>', 'trust X-Forwarded-* from these addresses/CIDRs, or "true" for any')
    .option('--tls-cert <file>', 'PEM certificate, to serve HTTPS')
    .option('--tls-key <file>', 'PEM private key, to serve HTTPS')
    .option('--body-limit <size>', 'largest JSON request body, e.g. 1mb (default 1mb)')
    .option('--upload-limit <size>', 'largest upload, all its files together, e.g. 10gb (default 2gb)')
    .option('--extract-limit <size>', 'largest total of an upload once its zips are extracted (default 4x the upload limit, at most 20gb)')
    .option('--hosted-file-limit <size>', "largest file a metadata record's hosted link may hold (default 20mb)")
    .option('--cors-origins <origins>', 'origins browser apps may call the API from, comma-separated, or * (default none)')
    .option('--headers-timeout <duration>', 'time a client has to send request headers, e.g. 30s (default 30s)')
    .option('--idle-timeout <duration>', 'close a connection silent this long while waiting on the client; 0 for never (default 60s)')
    .option('--request-timeout <duration>', 'time a client has to send a whole request, uploads excepted; 0 for never (default 5m)')
    .option('--max-connections-per-client <n>', 'open connections per client address; 0 for no limit (default 64, 0 with --trust-proxy)')
    .addHelpText('after', help)
    .action(async ({ workers, ...options }: ServeOptions) => {
      // Loaded here, not at the top: every other command starts without GDAL and the server.
      const { ConfigError, closeOnSignals, resolveConfig, serverVersion, startServer } = await import('@mapshelf/server');
      let config, server;
      try {
        // Commander makes it true when not given, which would hide MAPSHELF_WORKERS.
        config = resolveConfig({ ...options, ...(!workers && { workers }) });
        server = await startServer(config);
      } catch (error) {
        throw error instanceof ConfigError ? new UserError(error.message, ExitCode.config) : error;
      }
      closeOnSignals(server, (signal) => process.stderr.write(`mapshelf: stopped on ${signal}\n`));
      process.stderr.write(`Mapshelf ${serverVersion} is serving ${config.dataDir}\n`);
      process.stderr.write(`  Data API: ${config.publicUrl ?? server.address}/services/api/v1/\n`);
      process.stderr.write(`  API docs: ${config.publicUrl ?? server.address}/services/api/v1/docs/\n`);
      if (!config.workers) process.stderr.write(`  Jobs run in \`${shellCommand(`worker --data-dir ${config.dataDir}`)}\` processes, not this one.\n`);
      if (server.tokens === 'bootstrapped') process.stderr.write('  Created the admin user with the token from MAPSHELF_BOOTSTRAP_TOKEN.\n');
      if (server.tokens === 'none') {
        process.stderr.write(
          `  No API token exists yet. Create the first admin token with:\n` +
            `    ${shellCommand(`token create --admin --data-dir ${config.dataDir}`)}\n` +
            `  or restart with MAPSHELF_BOOTSTRAP_TOKEN set.\n`,
        );
      }
    });
}
