import {
  APIConnectionError,
  APITimeoutError,
  AuthenticationError,
  BadRequest,
  ClientValidationError,
  Conflict,
  DownloadError,
  Forbidden,
  InvalidTokenScope,
  NotFound,
  RateLimitExceeded,
  ServiceUnavailable,
} from '@mapshelf/sdk';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { shellCommand } from './invocation.js';
import { UserError } from './output.js';

/** A failure as the user sees it: one line saying what went wrong and what to do, and an exit code. */
export interface Failure {
  message: string;
  exitCode: ExitCodeValue;
}

/**
 * The one place that maps errors, from the SDK or elsewhere, to a message and an exit code. `server`
 * is the URL the command talked to, so messages can name it; tokens never appear.
 */
export function describeFailure(error: unknown, server?: string): Failure {
  const at = server ? ` at ${server}` : '';
  const said = (e: Error) => e.message.replace(/[.\s]+$/, '');
  if (error instanceof UserError) return { message: error.message, exitCode: error.exitCode as ExitCodeValue };
  if (error instanceof APITimeoutError) return { message: `The server${at} did not answer in time. Try again, or check that it is not overloaded.`, exitCode: ExitCode.unavailable };
  if (error instanceof APIConnectionError) {
    const reason = (error.cause as { code?: string; cause?: { code?: string } } | undefined)?.cause?.code ?? (error.cause as { code?: string } | undefined)?.code;
    return {
      message: `Can't reach the server${at}${reason ? ` (${reason})` : ''}. Is it running? Check the URL given by --url, MAPSHELF_URL or \`${shellCommand('login')}\`.`,
      exitCode: ExitCode.unavailable,
    };
  }
  if (error instanceof AuthenticationError) {
    return { message: `The server${at} refused the token (${said(error)}). It may have expired or been revoked: log in again with \`${shellCommand('login --url URL --token NEW_TOKEN')}\`.`, exitCode: ExitCode.auth };
  }
  if (error instanceof InvalidTokenScope) {
    const scopes = error.requiredScopes.join(' ');
    return { message: `The token lacks the scope ${scopes}. Create one that has it: \`${shellCommand(`tokens create --name NAME --scope "${scopes} ..."`)}\`, then log in with it.`, exitCode: ExitCode.auth };
  }
  if (error instanceof Forbidden) return { message: `Not allowed: ${said(error)}. Ask an administrator of the item for permission.`, exitCode: ExitCode.auth };
  if (error instanceof NotFound) return { message: `${said(error)}. Check the id or URL (\`${shellCommand('search')}\` or a \`list\` command shows them).`, exitCode: ExitCode.notFound };
  if (error instanceof BadRequest) return { message: `The server refused the request: ${error.message}`, exitCode: ExitCode.usage };
  if (error instanceof ClientValidationError) return { message: error.message, exitCode: ExitCode.usage };
  if (error instanceof Conflict) return { message: error.message, exitCode: ExitCode.failure };
  if (error instanceof RateLimitExceeded) return { message: `The server${at} is rate limiting; try again in ${error.retryAfter ?? 'a few'} seconds.`, exitCode: ExitCode.unavailable };
  if (error instanceof ServiceUnavailable) return { message: `The server${at} is unavailable (${said(error)}); try again later.`, exitCode: ExitCode.unavailable };
  if (error instanceof DownloadError) return { message: error.message, exitCode: ExitCode.failure };
  return { message: error instanceof Error ? error.message : String(error), exitCode: ExitCode.failure };
}
