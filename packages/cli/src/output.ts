/** Results render as text for people, or as JSON (`--json`) under a versioned key for scripts. */
export interface CommandResult {
  text: string;
  json: Record<string, unknown>;
}

export function render(result: CommandResult, asJson: boolean): string {
  return asJson ? JSON.stringify({ mapshelf: { v1: result.json } }, null, 2) : result.text;
}

/** A failure the user can act on: printed as one line, without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
