import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExitCode } from './exit-codes.js';
import { UserError } from './output.js';

/** A saved connection: which server, and the token to use there. */
export interface Profile {
  url: string;
  token: string;
}

interface ProfilesFile {
  profiles: Record<string, Profile>;
}

/** The profile used when neither `--profile` nor `MAPSHELF_PROFILE` names one. */
export const defaultProfile = 'default';

/** `$XDG_CONFIG_HOME/mapshelf/profiles.json`, else `~/.config/mapshelf/profiles.json`. */
export function profilesPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'mapshelf', 'profiles.json');
}

function read(file: string): ProfilesFile {
  if (!existsSync(file)) return { profiles: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as ProfilesFile;
    if (!parsed || typeof parsed.profiles !== 'object') throw new Error('no "profiles" object');
    return parsed;
  } catch (error) {
    throw new UserError(`Can't read ${file} (${(error as Error).message}); fix it or remove it and log in again.`, ExitCode.config);
  }
}

/** Writes the file whole, through a rename, readable by its owner only: it holds tokens. */
function write(file: string, content: ProfilesFile): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export function loadProfile(name: string, file = profilesPath()): Profile | undefined {
  return read(file).profiles[name];
}

export function listProfiles(file = profilesPath()): Record<string, Profile> {
  return read(file).profiles;
}

export function saveProfile(name: string, profile: Profile, file = profilesPath()): void {
  const content = read(file);
  content.profiles[name] = profile;
  write(file, content);
}

/** Forgets a profile; false when there was none by that name. */
export function removeProfile(name: string, file = profilesPath()): boolean {
  const content = read(file);
  if (!(name in content.profiles)) return false;
  delete content.profiles[name];
  write(file, content);
  return true;
}
