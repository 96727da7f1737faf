/**
 * Plugin discovery and installation under `{libexec}/plugins/<name>/notation-<name>`
 * (checklist 7.1, 7.4 install). The executable must be a regular, executable file;
 * symlinks (of the executable or the plugin directory) are refused, as the spec
 * requires (REF follows them; appendix item 11).
 */
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PluginError } from '../errors.js';
import { ArchiveError, MAX_PLUGIN_BYTES, detectArchiveKind, readTarGz, readZip, type ArchiveFile } from './archive.js';
import { PluginErrorCodes } from './errors.js';
import { CLIPlugin, binName, type Plugin } from './plugin.js';
import type { PluginProcessOptions } from './process.js';
import { BINARY_PREFIX, type GetMetadataResponse } from './protocol.js';
import { comparePluginVersion } from './semver.js';

/** What the verifier and signer need from a plugin manager (mockable). */
export interface PluginLocator {
  get(name: string): Promise<Plugin>;
  list(): Promise<string[]>;
}

export interface InstallOptions {
  /** Install even when the same or a higher version is installed, or the existing one is broken. */
  force?: boolean;
}

export interface InstallResult {
  /** Metadata of the replaced plugin, if one was installed. */
  previous?: GetMetadataResponse;
  installed: GetMetadataResponse;
}

function checkName(name: string): void {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.length > 255) {
    throw new PluginError(PluginErrorCodes.notFound, `invalid plugin name ${JSON.stringify(name)}`);
  }
}

function isErrno(e: unknown, code: string): boolean {
  return (e as NodeJS.ErrnoException)?.code === code;
}

export class PluginManager implements PluginLocator {
  readonly pluginsDir: string;
  private readonly processOptions: PluginProcessOptions;

  /** `libexecDir` is notation's libexec dir (the config dir unless NOTATION_LIBEXEC). */
  constructor(libexecDir: string, processOptions: PluginProcessOptions = {}) {
    this.pluginsDir = join(libexecDir, 'plugins');
    this.processOptions = processOptions;
  }

  /** Names of the plugin directories (symlinked directories skipped), sorted. */
  async list(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.pluginsDir, { withFileTypes: true });
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return [];
      throw new PluginError(PluginErrorCodes.notFound, `failed to list plugins in ${this.pluginsDir}: ${(e as Error).message}`, { cause: e });
    }
    return entries.filter((d) => d.isDirectory() && !d.isSymbolicLink()).map((d) => d.name).sort();
  }

  /** Path the executable of plugin `name` must have. */
  executablePath(name: string): string {
    return join(this.pluginsDir, name, binName(name));
  }

  /** Locates plugin `name`; throws PLUGIN_NOT_FOUND unless its executable is usable. */
  async get(name: string): Promise<CLIPlugin> {
    checkName(name);
    const dir = join(this.pluginsDir, name);
    const path = this.executablePath(name);
    try {
      const ds = await lstat(dir);
      if (ds.isSymbolicLink()) throw new PluginError(PluginErrorCodes.notFound, `plugin directory ${dir} is a symbolic link; symlinked plugins are not allowed`);
      const fs = await lstat(path);
      if (fs.isSymbolicLink()) throw new PluginError(PluginErrorCodes.notFound, `plugin executable file ${path} is a symbolic link; symlinked plugins are not allowed`);
      if (!fs.isFile()) throw new PluginError(PluginErrorCodes.notFound, `plugin executable file ${path} is not a regular file`);
      if (process.platform !== 'win32' && (fs.mode & 0o111) === 0) {
        throw new PluginError(PluginErrorCodes.notFound, `plugin executable file ${path} is not executable`);
      }
    } catch (e) {
      if (e instanceof PluginError) throw e;
      throw new PluginError(PluginErrorCodes.notFound, `plugin executable file is either not found or inaccessible: ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    return new CLIPlugin(name, path, this.processOptions);
  }

  /** Removes plugin `name` (its whole directory). */
  async uninstall(name: string): Promise<void> {
    checkName(name);
    const dir = join(this.pluginsDir, name);
    try {
      await lstat(dir);
    } catch (e) {
      throw new PluginError(PluginErrorCodes.notFound, `plugin ${name} is not installed: ${dir} does not exist`, { cause: e });
    }
    await rm(dir, { recursive: true, force: true });
  }

  /**
   * Installs from a plugin executable named `notation-<name>`, a .zip or a .tar.gz
   * holding exactly one `notation-*` executable (as `notation plugin install --file`).
   * A same or lower version than the installed one is refused unless `force`.
   */
  async install(sourcePath: string, options: InstallOptions = {}): Promise<InstallResult> {
    let st;
    try {
      st = await stat(sourcePath);
    } catch (e) {
      throw new PluginError(PluginErrorCodes.installSource, `plugin source ${sourcePath} cannot be read: ${(e as Error).message}`, { cause: e });
    }
    if (!st.isFile()) throw new PluginError(PluginErrorCodes.installSource, `${sourcePath} is not a valid file`);
    if (st.size >= MAX_PLUGIN_BYTES) throw new PluginError(PluginErrorCodes.installSource, `file size reached the ${MAX_PLUGIN_BYTES / 1024 / 1024} MiB size limit`);
    const bytes = new Uint8Array(await readFile(sourcePath));
    const kind = detectArchiveKind(bytes.subarray(0, 512));

    let files: ArchiveFile[];
    let pluginName: string;
    let exe: ArchiveFile;
    if (kind === 'other') {
      const fileName = basename(sourcePath);
      pluginName = parsePluginName(fileName);
      if (process.platform !== 'win32' && (st.mode & 0o100) === 0) {
        throw new PluginError(PluginErrorCodes.installSource, `input file ${fileName} is not executable`);
      }
      exe = { name: binName(pluginName), mode: st.mode & 0o777, data: bytes };
      files = [exe];
    } else {
      try {
        files = kind === 'zip' ? readZip(bytes) : readTarGz(bytes);
      } catch (e) {
        if (e instanceof ArchiveError) throw new PluginError(PluginErrorCodes.installSource, `plugin installation failed: ${e.message}`, { cause: e });
        throw e;
      }
      ({ exe, pluginName } = pickExecutable(files));
    }

    const staging = await mkdtemp(join(tmpdir(), 'notation-plugin-'));
    try {
      for (const f of files) await writeFile(join(staging, f.name), f.data, { mode: f.mode | (f === exe ? 0o100 : 0) });
      await chmod(join(staging, exe.name), exe.mode | 0o100);
      const candidate = new CLIPlugin(pluginName, join(staging, exe.name), this.processOptions);
      let installed: GetMetadataResponse;
      try {
        installed = await candidate.getMetadata();
      } catch (e) {
        throw new PluginError((e as PluginError).code ?? PluginErrorCodes.malformed, `failed to get metadata of new plugin: ${(e as Error).message}`, { cause: e });
      }

      let previous: GetMetadataResponse | undefined;
      let existing: CLIPlugin | undefined;
      try {
        existing = await this.get(pluginName);
      } catch (e) {
        const missing = await lstat(join(this.pluginsDir, pluginName)).then(() => false, () => true);
        if (!missing && !options.force) throw new PluginError(PluginErrorCodes.notFound, `failed to check plugin existence: ${(e as Error).message}`, { cause: e });
      }
      if (existing) {
        try {
          previous = await existing.getMetadata();
        } catch (e) {
          if (!options.force) throw new PluginError((e as PluginError).code ?? PluginErrorCodes.malformed, `failed to get metadata of existing plugin: ${(e as Error).message}`, { cause: e });
        }
        if (previous && !options.force) {
          const c = comparePluginVersion(installed.version, previous.version);
          if (c < 0) {
            throw new PluginError(
              PluginErrorCodes.downgrade,
              `failed to install plugin ${pluginName}. The installing plugin version ${installed.version} is lower than the existing plugin version ${previous.version}`,
            );
          }
          if (c === 0) throw new PluginError(PluginErrorCodes.sameVersion, `plugin ${pluginName} with version ${previous.version} already exists`);
        }
      }
      const dir = join(this.pluginsDir, pluginName);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const f of files) {
        const target = f === exe ? binName(pluginName) : f.name;
        await writeFile(join(dir, target), f.data, { mode: f === exe ? exe.mode | 0o100 : f.mode });
      }
      return previous ? { previous, installed } : { installed };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

function parsePluginName(fileName: string): string {
  const n = fileName.replace(/\.exe$/i, '');
  if (!n.startsWith(BINARY_PREFIX) || n.length === BINARY_PREFIX.length) {
    throw new PluginError(
      PluginErrorCodes.installSource,
      `invalid plugin executable file name. Plugin file name requires format notation-{plugin-name}, but got ${fileName}`,
    );
  }
  return n.slice(BINARY_PREFIX.length);
}

/** notation's rule: exactly one executable notation-* file; or one candidate without the bit. */
function pickExecutable(files: ArchiveFile[]): { exe: ArchiveFile; pluginName: string } {
  const named = files.filter((f) => {
    const n = f.name.replace(/\.exe$/i, '');
    return n.startsWith(BINARY_PREFIX) && n.length > BINARY_PREFIX.length;
  });
  const executable = named.filter((f) => (f.mode & 0o100) !== 0);
  if (executable.length > 1) throw new PluginError(PluginErrorCodes.installSource, 'plugin installation failed: found more than one plugin executable files');
  const exe = executable[0] ?? (named.length === 1 ? named[0] : undefined);
  if (!exe) throw new PluginError(PluginErrorCodes.installSource, 'plugin installation failed: no plugin executable file was found');
  return { exe, pluginName: parsePluginName(exe.name) };
}
