import { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { UserError } from '../output.js';
import { withExamples } from '../command.js';

/** Each command path (`""`, `" layers"`, `" layers list"`) with the words that may follow it. */
function completions(root: Command): Array<[string, string[]]> {
  const entries: Array<[string, string[]]> = [];
  const visit = (command: Command, path: string) => {
    const names = (c: Command) => [c.name(), ...c.aliases()];
    const words = [...command.commands.flatMap(names), ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))), '--help'];
    entries.push([path, words]);
    for (const sub of command.commands) for (const name of names(sub)) visit(sub, `${path} ${name}`);
  };
  visit(root, '');
  return entries;
}

/**
 * A bash completion script generated from the command table, so it can't fall behind it:
 * subcommands and flags by position, file names everywhere else.
 */
export function bashScript(root: Command): string {
  const entries = completions(root);
  const known = entries.filter(([path]) => path).map(([path]) => `"${path}"`).join('|');
  const cases = entries.map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n');
  return `# mapshelf completion for bash: eval "$(mapshelf completion bash)", or save it in /etc/bash_completion.d/mapshelf
_mapshelf() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "$path \${COMP_WORDS[i]}" in
      ${known}) path="$path \${COMP_WORDS[i]}" ;;
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -o bashdefault -F _mapshelf mapshelf
`;
}

/** zsh runs the bash script through its bashcompinit layer, so both shells complete the same words. */
export function zshScript(root: Command): string {
  return `#compdef mapshelf
# mapshelf completion for zsh: eval "$(mapshelf completion zsh)" in ~/.zshrc, after compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(root)}`;
}

export function completionCommand(): Command {
  const command = new Command('completion').description('Print a shell completion script for bash or zsh').argument('<shell>', 'bash or zsh');
  withExamples(command, 'eval "$(mapshelf completion bash)"    # in ~/.bashrc', 'eval "$(mapshelf completion zsh)"     # in ~/.zshrc, after compinit');
  return command.action((shell: string, _options: unknown, self: Command) => {
    let root = self;
    while (root.parent) root = root.parent;
    if (shell === 'bash') process.stdout.write(bashScript(root));
    else if (shell === 'zsh') process.stdout.write(zshScript(root));
    else throw new UserError(`Completion is available for bash and zsh, not "${shell}".`, ExitCode.usage);
  });
}
