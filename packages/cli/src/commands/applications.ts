import type { Command } from 'commander';
import { action, groupCommand, parseId, withExamples } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { offlineCommand, withOfflineStore } from '../offline-store.js';
import { UserError, type CommandResult } from '../output.js';

interface CreateOptions {
  name: string;
  type: string;
  group?: string;
  scope?: string;
  dataDir?: string;
  database?: string;
}

const help = `
Creates an OAuth2 client of the Metadata API straight in the catalog database, as \`tokens create\`
does offline: the first application needs no server and no token. A group application reads the
records its workgroups share with it (client credentials); a user application signs users in with
their password (the password grant; set one with \`mapshelf users password\`). Site admins create
more through POST /metadata/v1/applications/.

The client secret is printed once; the catalog keeps only its hash.
`;

function createCommand(): Command {
  const command = offlineCommand('create', 'Create a Metadata API application (an OAuth2 client), offline in the data folder or PostgreSQL catalog', 'print {"client_id": …, "client_secret": …}, for scripts')
    .requiredOption('--name <name>', 'what the application is, e.g. "QGIS plugin"; its client id starts with it')
    .requiredOption('--type <type>', 'group (reads what is shared with it) or user (signs users in)')
    .option('--group <id>', 'a group application: the id of the workgroup it belongs to (a Data API group id)')
    .option('--scope <scopes>', 'space-separated scopes (default: resources:read for a group application; resources:read resources:write admin for a user one, admin reaching admin users only)')
    .addHelpText('after', help);
  withExamples(command, 'mapshelf applications create --name "Catalog viewer" --type group --group 1', 'mapshelf applications create --name Scripts --type user --json');
  return action(command, async (_ctx, options: CreateOptions): Promise<CommandResult> => {
    if (options.type !== 'group' && options.type !== 'user') throw new UserError(`--type must be group or user, not "${options.type}".`, ExitCode.usage);
    const groupId = options.group === undefined ? undefined : parseId(options.group, '--group');
    if (groupId !== undefined && options.type === 'user') throw new UserError('--group is for group applications: a user application acts as whoever signs in.', ExitCode.usage);
    const { createApplicationOffline } = await import('@mapshelf/server');
    const type = options.type;
    const { clientId, clientSecret } = await withOfflineStore(options, (store) =>
      createApplicationOffline(store, {
        name: options.name,
        type,
        ...(groupId !== undefined && { groupId }),
        ...(options.scope !== undefined && { scopes: options.scope.split(/\s+/).filter(Boolean) }),
      }),
    );
    return {
      text: `client_id:     ${clientId}\nclient_secret: ${clientSecret}\n(${type} application; the secret is shown only this once)`,
      json: { client_id: clientId, client_secret: clientSecret },
      bareJson: true,
      ids: [clientId],
    };
  });
}

export function applicationsCommand(): Command {
  return groupCommand('applications', 'Metadata API applications (OAuth2 clients): create the first one offline', createCommand());
}
