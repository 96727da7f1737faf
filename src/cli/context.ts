/**
 * What a command gets: parsed flags and args, its output streams, and the
 * environment-derived directories (the only place besides src/config that reads env).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FlagValues } from './args.js';

export interface Output {
  write(s: string): void;
}

export interface CliContext {
  args: string[];
  flags: FlagValues;
  changed: Set<string>;
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdout/stderr are terminals (progress output only then). */
  isTTY: boolean;
  /** Reads all of standard input (for --password-stdin). */
  readStdin: () => Promise<string>;
}

/** notation's config dir: NOTATION_CONFIG, else $XDG_CONFIG_HOME/notation, else ~/.config/notation. */
export function configDir(env: Record<string, string | undefined>): string {
  if (env.NOTATION_CONFIG) return env.NOTATION_CONFIG;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'notation');
  return join(env.HOME || homedir(), '.config', 'notation');
}

/** notation's cache dir: NOTATION_CACHE, else $XDG_CACHE_HOME/notation, else ~/.cache/notation. */
export function cacheDir(env: Record<string, string | undefined>): string {
  if (env.NOTATION_CACHE) return env.NOTATION_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'notation');
  return join(env.HOME || homedir(), '.cache', 'notation');
}

/** Plugin dir root: NOTATION_LIBEXEC, else the config dir. */
export function libexecDir(env: Record<string, string | undefined>): string {
  return env.NOTATION_LIBEXEC || configDir(env);
}
