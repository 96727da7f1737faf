/**
 * `notation-ts plugin list|install|uninstall`: notation's plugin commands over
 * src/plugins' PluginManager, with notation's output lines and error texts
 * (cmd/notation/plugin/*.go). Install takes a file (a bare `notation-<name>`
 * executable, a .zip or a .tar.gz) or an https URL with `--sha256sum`, downloaded
 * within 10 minutes and below 256 MiB.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { CliContext } from '../context.js';
import { libexecDir } from '../context.js';
import { askForConfirmation } from '../policy-confirm.js';
import { NotationError, PluginError, UsageError, errorMessage } from '../../errors.js';
import { PluginManager } from '../../plugins/manager.js';
import { PluginErrorCodes } from '../../plugins/errors.js';
import { MAX_PLUGIN_BYTES } from '../../plugins/archive.js';
import { binName } from '../../plugins/plugin.js';
import type { GetMetadataResponse } from '../../plugins/protocol.js';
import { goQuote } from '../../x509/goformat.js';

/** notation's DownloadPluginFromURLTimeout. */
export const DOWNLOAD_TIMEOUT_MS = 10 * 60 * 1000;
/** notation's MaxPluginSourceBytes. */
export const MAX_PLUGIN_SOURCE_BYTES = 256 * 1024 * 1024;
/** Redirects we follow (Go's http.Client default is 10). */
const MAX_REDIRECTS = 10;

export async function run(ctx: CliContext): Promise<number> {
  const cmd = (ctx as CliContext & { command?: string[] }).command ?? [];
  switch (cmd[1]) {
    case 'list':
      return list(ctx);
    case 'install':
      return install(ctx);
    case 'uninstall':
      return uninstall(ctx);
    default:
      throw new UsageError('UNKNOWN_COMMAND', `unknown plugin command ${JSON.stringify(cmd.join(' '))}`);
  }
}

function manager(ctx: CliContext): PluginManager {
  return new PluginManager(libexecDir(ctx.env));
}

// ------------------------------------------------------------------ list

/** Go text/tabwriter (minwidth 0, padding 3, every cell tab-terminated). */
export function tabwrite(rows: string[][]): string {
  const width = (s: string) => [...s].length;
  const cols = Math.max(...rows.map((r) => r.length));
  const w = Array.from({ length: cols }, (_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))) + 3);
  return rows.map((r) => r.map((c, i) => c + ' '.repeat(w[i]! - width(c))).join('') + '\n').join('');
}

function friendlyError(name: string, e: unknown): string {
  const cause = (e as { cause?: NodeJS.ErrnoException })?.cause;
  if (cause?.code === 'ENOENT') return `plugin executable file \`${binName(name)}\` not found. Use \`notation plugin install\` command to install the plugin`;
  if (cause?.code === 'ENOEXEC') {
    return `plugin file \`${binName(name)}\` is not executable. Use \`notation plugin install\` command to install the plugin. Please ensure that the plugin executable file is compatible with ${process.platform}/${process.arch}`;
  }
  return errorMessage(e);
}

async function list(ctx: CliContext): Promise<number> {
  const mgr = manager(ctx);
  let names: string[];
  try {
    names = await mgr.list();
  } catch (e) {
    throw new PluginError((e as NotationError).code ?? PluginErrorCodes.notFound, `${errorMessage(e)}.\nPlease ensure that the current user has permission to access the plugin directory: ${mgr.pluginsDir}`, { cause: e });
  }
  const rows: string[][] = [['NAME', 'DESCRIPTION', 'VERSION', 'CAPABILITIES', 'ERROR']];
  for (const name of names) {
    let meta: Partial<GetMetadataResponse> = {};
    let err = '<nil>';
    try {
      meta = await (await mgr.get(name)).getMetadata({});
    } catch (e) {
      err = friendlyError(name, e);
    }
    rows.push([name, meta.description ?? '', meta.version ?? '', `[${(meta.capabilities ?? []).join(' ')}]`, err]);
  }
  ctx.stdout.write(tabwrite(rows));
  return 0;
}

// ------------------------------------------------------------------ install

/** Checks `--file`/`--url` as cobra does: arguments first, then the flag groups. */
function installArgs(ctx: CliContext): string {
  const isFile = !!ctx.flags.file;
  const isUrl = !!ctx.flags.url;
  if (ctx.args.length === 0) {
    if (isFile) throw new UsageError('MISSING_ARGUMENT', 'missing plugin file path');
    if (isUrl) throw new UsageError('MISSING_ARGUMENT', 'missing plugin URL');
    throw new UsageError('MISSING_ARGUMENT', 'missing plugin source location');
  }
  if (ctx.args.length > 1) throw new UsageError('TOO_MANY_ARGUMENTS', `can only install one plugin at a time, but got [${ctx.args.join(' ')}]`);
  if (ctx.changed.has('file') && ctx.changed.has('url')) {
    throw new UsageError('FLAGS_MUTUALLY_EXCLUSIVE', 'if any flags in the group [file url] are set none of the others can be; [file url] were all set');
  }
  if (!ctx.changed.has('file') && !ctx.changed.has('url')) {
    throw new UsageError('FLAGS_ONE_REQUIRED', 'at least one of the flags in the group [file url] is required');
  }
  return ctx.args[0]!;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** notation's installPlugin: stat, optional checksum, then the manager's install. */
async function installFromFile(ctx: CliContext, path: string, checksum: string, force: boolean): Promise<void> {
  const fail = (code: string, msg: string, cause?: unknown) => new PluginError(code, `plugin installation failed: ${msg}`, cause === undefined ? undefined : { cause });
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(PluginErrorCodes.installSource, `stat ${path}: ${code === 'ENOENT' ? 'no such file or directory' : errorMessage(e)}`, e);
  }
  if (!st.isFile()) throw fail(PluginErrorCodes.installSource, `${path} is not a valid file`);
  if (checksum) {
    const sum = await sha256File(path);
    if (sum.toLowerCase() !== checksum.toLowerCase()) throw fail('PLUGIN_CHECKSUM_MISMATCH', `plugin SHA-256 checksum does not match user input. Expecting ${checksum}`);
  }
  let result;
  try {
    result = await manager(ctx).install(path, { force });
  } catch (e) {
    const code = (e as NotationError).code ?? PluginErrorCodes.installSource;
    let msg = errorMessage(e).replace(/^plugin installation failed: /, '');
    if (code === PluginErrorCodes.downgrade) msg += '.\nIt is not recommended to install an older version. To force the installation, use the "--force" option';
    throw fail(code, msg, e);
  }
  if (result.previous) ctx.stdout.write(`Successfully updated plugin ${result.installed.name} from version ${result.previous.version} to ${result.installed.version}\n`);
  else ctx.stdout.write(`Successfully installed plugin ${result.installed.name}, version ${result.installed.version}\n`);
}

export interface DownloadOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** Extra trusted CA certificates (PEM), for tests against a local https server. */
  ca?: string | Buffer;
}

/**
 * GETs an https URL into `dest` (notation's DownloadPluginFromURL): status 200
 * only, at most `maxBytes`, all within `timeoutMs`. Redirects must stay on https.
 */
export async function downloadPlugin(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const maxBytes = opts.maxBytes ?? MAX_PLUGIN_SOURCE_BYTES;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
  const body = await new Promise<Buffer>((resolve, reject) => {
    const fetchOne = (u: URL, hops: number) => {
      if (u.protocol !== 'https:') {
        reject(new Error(`redirected to ${u.href}: only the HTTPS scheme is supported`));
        return;
      }
      const req = httpsGet(u, { signal, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
        const status = res.statusCode ?? 0;
        if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
          res.resume();
          if (hops >= MAX_REDIRECTS) {
            reject(new Error(`GET ${goQuote(u.href)}: stopped after ${MAX_REDIRECTS} redirects`));
            return;
          }
          fetchOne(new URL(res.headers.location, u), hops + 1);
          return;
        }
        if (status !== 200) {
          res.resume();
          reject(new Error(`GET ${goQuote(u.href)}: https response bad status: ${status} ${res.statusMessage ?? ''}`.trimEnd()));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size >= maxBytes) {
            req.destroy();
            reject(new Error(`GET ${goQuote(u.href)}: https response reached the ${Math.floor(maxBytes / 1024 / 1024)} MiB size limit`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      });
      req.on('error', (e) => reject(signal.aborted ? new Error(`GET ${goQuote(u.href)}: timeout after ${(opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS) / 1000}s`) : e));
    };
    fetchOne(new URL(url), 0);
  });
  await writeFile(dest, body, { mode: 0o600 });
}

async function install(ctx: CliContext): Promise<number> {
  const source = installArgs(ctx);
  const checksum = (ctx.flags.sha256sum as string | undefined) ?? '';
  const force = !!ctx.flags.force;
  if (ctx.flags.file) {
    await installFromFile(ctx, resolvePath(ctx.cwd, source), checksum, force);
    return 0;
  }
  if (!checksum) throw new UsageError('PLUGIN_CHECKSUM_REQUIRED', 'installing from URL requires non-empty SHA256 checksum of the plugin source');
  let url: URL;
  try {
    url = new URL(source);
  } catch (e) {
    throw new UsageError('INVALID_URL', `failed to parse plugin download URL ${source} with error: ${errorMessage(e)}`, { cause: e });
  }
  if (url.protocol !== 'https:') {
    throw new UsageError('INVALID_URL', `failed to download plugin from URL: only the HTTPS scheme is supported, but got ${url.protocol.replace(/:$/, '')}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'notation-plugin-download'));
  try {
    // Keep the URL's base name so a bare `notation-<name>` executable keeps its name.
    const base = decodeURIComponent(url.pathname.split('/').pop() || 'plugin');
    const file = join(dir, /^[\w.-]{1,255}$/.test(base) ? base : 'plugin');
    ctx.stdout.write(`Downloading plugin from ${source}\n`);
    try {
      await downloadPlugin(source, file);
    } catch (e) {
      throw new PluginError('PLUGIN_DOWNLOAD_FAILED', `failed to download plugin from URL ${source} with error: ${errorMessage(e)}`, { cause: e });
    }
    ctx.stdout.write('Download completed\n');
    // A downloaded bare executable has no execute bit yet; archives carry their modes.
    await chmod(file, 0o700);
    await installFromFile(ctx, file, checksum, force);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return 0;
}

// ------------------------------------------------------------------ uninstall

async function uninstall(ctx: CliContext): Promise<number> {
  if (ctx.args.length > 1) throw new UsageError('TOO_MANY_ARGUMENTS', 'only one plugin can be removed at a time');
  const name = ctx.args[0]!;
  const mgr = manager(ctx);
  try {
    await mgr.get(name);
  } catch (e) {
    if ((e as { cause?: NodeJS.ErrnoException })?.cause?.code === 'ENOENT') {
      throw new PluginError(PluginErrorCodes.notFound, `unable to find plugin ${name}.\nTo view a list of installed plugins, use \`notation plugin list\``, { cause: e });
    }
    throw new PluginError((e as NotationError).code ?? PluginErrorCodes.notFound, `failed to check plugin existence: ${errorMessage(e)}`, { cause: e });
  }
  const ok = await askForConfirmation(ctx, `Are you sure you want to uninstall plugin ${goQuote(name)}?`, !!ctx.flags.yes, `uninstalling plugin ${goQuote(name)} needs confirmation; use -y/--yes to confirm`);
  if (!ok) return 0;
  try {
    await mgr.uninstall(name);
  } catch (e) {
    throw new PluginError((e as NotationError).code ?? PluginErrorCodes.notFound, `failed to uninstall plugin ${name}: ${errorMessage(e)}`, { cause: e });
  }
  ctx.stdout.write(`Successfully uninstalled plugin ${name}\n`);
  return 0;
}
