/**
 * How the user started the CLI, so every hint names a command they can paste back: `npx mapshelf …`
 * under npx (or `npm exec`, `npm run`), `pnpm exec mapshelf …` and `yarn mapshelf …` under those,
 * else `mapshelf …`. Package managers say who they are in `npm_config_user_agent`, and npm also sets
 * `npm_command` (`exec` for npx) for the programs it runs.
 */
export function commandPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const agent = /^(npm|pnpm|yarn|bun)\//.exec(env.npm_config_user_agent ?? '')?.[1] ?? (env.npm_command ? 'npm' : undefined);
  switch (agent) {
    case 'npm':
      return 'npx mapshelf';
    case 'pnpm':
      return 'pnpm exec mapshelf';
    case 'yarn':
      return 'yarn mapshelf';
    case 'bun':
      return 'bunx mapshelf';
    default:
      return 'mapshelf';
  }
}

/** A command to suggest, as the user would type it: `shellCommand('sources delete 4')` → "npx mapshelf sources delete 4". */
export function shellCommand(args: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${commandPrefix(env)} ${args}`;
}
