import type { Command } from 'commander';
import { action, groupCommand, withExamples } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { offlineCommand, withOfflineStore } from '../offline-store.js';
import { UserError, type CommandResult } from '../output.js';

interface PasswordOptions {
  dataDir?: string;
  database?: string;
}

/** The password from standard input: typed unseen at a terminal, or the first line of a pipe. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    process.stderr.write('New password: ');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    return new Promise((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string) => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n') {
            stdin.setRawMode(false);
            stdin.pause();
            stdin.off('data', onData);
            process.stderr.write('\n');
            return resolve(typed);
          }
          if (char === '\u0003') {
            stdin.setRawMode(false);
            return reject(new UserError('Cancelled.', ExitCode.usage));
          }
          if (char === '\u007f') typed = typed.slice(0, -1);
          else typed += char;
        }
      };
      stdin.on('data', onData);
    });
  }
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

const help = `
Sets the password a user signs in with through a Metadata API user application (the OAuth2
password grant), straight in the catalog database: no server or token needed. Read from standard
input: typed unseen at a terminal, or the first line of a pipe. The user's applications are signed
out everywhere. Users change their own through PUT /metadata/v1/account/, with the current one.
`;

function passwordCommand(): Command {
  const command = offlineCommand('password', "Set a user's password for the Metadata API, offline in the data folder or PostgreSQL catalog")
    .argument('<username>', 'whose password (a Data API username, e.g. admin)')
    .addHelpText('after', help);
  withExamples(command, 'mapshelf users password admin --data-dir ./mapshelf-data', "printf '%s\\n' \"$PASSWORD\" | mapshelf users password alice");
  return action(command, async (_ctx, options: PasswordOptions, username: string): Promise<CommandResult> => {
    const password = await readPassword();
    if (password === '') throw new UserError('No password was given on standard input.', ExitCode.usage);
    const { setPasswordOffline } = await import('@mapshelf/server');
    const user = await withOfflineStore(options, (store) => setPasswordOffline(store, username, password));
    return { text: `Set the password of ${user.username}; their applications are signed out.`, json: { username: user.username, password_set: true }, ids: [user.username] };
  });
}

export function usersCommand(): Command {
  return groupCommand('users', "Users' Metadata API passwords, set offline", passwordCommand());
}
