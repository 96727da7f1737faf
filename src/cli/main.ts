/**
 * `notation-ts`: notation's command tree, flags, output and exit codes.
 * Command modules are loaded lazily so that start-up only pays for the command run.
 */
import { parseArgs, type FlagSpec } from './args.js';
import type { CliContext, Output } from './context.js';
import { NotationError, UsageError } from '../errors.js';

export interface CommandModule {
  run(ctx: CliContext): Promise<number | void>;
}

export interface CommandDef {
  path: string[];
  aliases?: string[];
  short: string;
  use: string;
  flags: FlagSpec[];
  args?: { min?: number; max?: number; message?: string };
  load?: () => Promise<CommandModule>;
  long?: string;
}

const common: FlagSpec[] = [
  { name: 'debug', short: 'd', type: 'bool', usage: 'debug mode' },
  { name: 'verbose', short: 'v', type: 'bool', usage: 'verbose mode' },
  { name: 'help', short: 'h', type: 'bool', usage: 'help for the command' },
];
export const registryFlags: FlagSpec[] = [
  { name: 'username', short: 'u', type: 'string', usage: 'username for registry operations (default to $NOTATION_USERNAME if not specified)' },
  { name: 'password', short: 'p', type: 'string', usage: 'password for registry operations (default to $NOTATION_PASSWORD if not specified)' },
  { name: 'insecure-registry', type: 'bool', usage: 'use HTTP protocol while connecting to registries. Should be used only for testing' },
];
const pluginConfig: FlagSpec = { name: 'plugin-config', type: 'strings', usage: '{key}={value} pairs that are passed as it is to a plugin, refer plugin\'s documentation to set appropriate values', value: 'stringArray' };
const userMetadata = (usage: string): FlagSpec => ({ name: 'user-metadata', short: 'm', type: 'strings', usage, value: 'stringArray' });
const maxSignatures: FlagSpec = { name: 'max-signatures', type: 'int', default: 100, usage: 'maximum number of signatures to evaluate or examine' };
const ociLayout = (verb: string): FlagSpec => ({ name: 'oci-layout', type: 'bool', usage: `[Experimental] ${verb} the artifact stored as OCI image layout` });
/** Deprecated in notation v1.3 and removed in v2: accepted, hidden, and warned about (see warnAllowReferrersApi). */
const allowReferrersApi = (verb: string): FlagSpec => ({ name: 'allow-referrers-api', type: 'bool', hidden: true, usage: `[Experimental] use the Referrers API to ${verb} signatures, if not supported (returns 404), fallback to the Referrers tag schema` });
const output: FlagSpec = { name: 'output', short: 'o', type: 'string', default: 'tree', usage: "output format, options: 'json', 'tree'" };
const signerFlags: FlagSpec[] = [
  { name: 'key', short: 'k', type: 'string', usage: 'signing key name, for a key previously added to notation\'s key list. This is mutually exclusive with the --id and --plugin flags' },
  { name: 'id', type: 'string', usage: 'key id (required if --plugin is set). This is mutually exclusive with the --key flag' },
  { name: 'plugin', type: 'string', usage: 'signing plugin name (required if --id is set). This is mutually exclusive with the --key flag' },
  { name: 'signature-format', type: 'string', usage: 'signature envelope format, options: "jws", "cose" (default "jws")' },
  { name: 'expiry', short: 'e', type: 'string', usage: 'optional expiry that provides a "best by use" time for the artifact. The duration is specified in minutes(m) and/or hours(h). For example: 12h, 30m, 3h20m' },
  pluginConfig,
  { name: 'timestamp-url', type: 'string', usage: 'RFC 3161 Timestamping Authority (TSA) server URL' },
  { name: 'timestamp-root-cert', type: 'string', usage: 'filepath of timestamp authority root certificate' },
];


export const COMMANDS: CommandDef[] = [
  {
    path: ['sign'], short: 'Sign artifacts', use: 'sign [flags] <reference>', args: { min: 1, max: 1, message: 'missing reference to the artifact: use `notation sign --help` to see what parameters are required' },
    flags: [...signerFlags, userMetadata('{key}={value} pairs that are added to the signature payload'), ...registryFlags, ociLayout('sign'), { name: 'force-referrers-tag', type: 'bool', default: false, usage: 'force to store signatures using the referrers tag schema' }, allowReferrersApi('sign'), { name: 'recursive', type: 'bool', usage: 'sign an image index and every manifest it lists' }],
    load: () => import('./commands/sign.js'),
  },
  {
    path: ['verify'], short: 'Verify OCI artifacts', use: 'verify [flags] <reference>', args: { min: 1, max: 1, message: 'missing reference to the artifact: use `notation verify --help` to see what parameters are required' },
    flags: [pluginConfig, userMetadata('user defined {key}={value} pairs that must be present in the signature for successful verification if provided'), maxSignatures, ...registryFlags, allowReferrersApi('verify'), ociLayout('verify'), { name: 'scope', type: 'string', usage: '[Experimental] set trust policy scope for artifact verification, required and can only be used when flag "--oci-layout" is set' }, { name: 'output', short: 'o', type: 'string', default: 'text', usage: "output format, options: 'text', 'json'" }, { name: 'recursive', type: 'bool', usage: 'verify an image index and every manifest it lists' }],
    load: () => import('./commands/verify.js'),
  },
  {
    path: ['list'], aliases: ['ls'], short: 'List signatures of the signed artifact', use: 'list [flags] <reference>', args: { min: 1, max: 1, message: 'missing reference to the target artifact: use `notation list --help` to see what parameters are required' },
    flags: [maxSignatures, ...registryFlags, allowReferrersApi('list'), ociLayout('list signatures of')], load: () => import('./commands/list.js'),
  },
  {
    path: ['inspect'], short: 'Inspect all signatures associated with the signed artifact', use: 'inspect [reference]', args: { min: 1, max: 1, message: 'missing reference to the artifact: use `notation inspect --help` to see what parameters are required' },
    flags: [output, maxSignatures, ...registryFlags, allowReferrersApi('inspect'), ociLayout('inspect signatures of')], load: () => import('./commands/inspect.js'),
  },
  { path: ['blob'], short: 'Sign, inspect, and verify signatures and configure trust policies for blobs', use: 'blob [command]', flags: [] },
  {
    path: ['blob', 'sign'], short: 'Produce a detached signature for a given blob', use: 'sign [flags] <blob_path>', args: { min: 1, max: 1, message: 'missing file path to the blob artifact: use `notation blob sign --help` to see what parameters are required' },
    flags: [...signerFlags, userMetadata('{key}={value} pairs that are added to the signature payload'), { name: 'media-type', type: 'string', default: 'application/octet-stream', usage: 'media type of the blob' }, { name: 'signature-directory', type: 'string', usage: 'directory where the signature file is placed (default same directory as the blob)' }, { name: 'force', type: 'bool', usage: 'override the existing signature file, never prompt' }],
    load: () => import('./commands/blob-sign.js'),
  },
  {
    path: ['blob', 'verify'], short: 'Verify a signature associated with a blob', use: 'verify [flags] --signature <signature_path> <blob_path>', args: { min: 1, max: 1, message: 'missing path to the blob artifact: use `notation blob verify --help` to see what parameters are required' },
    flags: [{ name: 'signature', short: 's', type: 'string', usage: 'filepath of the signature to be verified' }, { name: 'media-type', type: 'string', usage: 'media type of the blob to verify' }, { name: 'policy-name', type: 'string', usage: 'policy name to verify against. If not provided, the global policy is used if exists' }, userMetadata('user defined {key}={value} pairs that must be present in the signature for successful verification if provided'), pluginConfig, { name: 'output', short: 'o', type: 'string', default: 'text', usage: "output format, options: 'text', 'json'" }],
    load: () => import('./commands/blob-verify.js'),
  },
  {
    path: ['blob', 'inspect'], short: 'Inspect a signature associated with a blob', use: 'inspect [flags] <signature_path>', args: { min: 1, max: 1, message: 'missing signature path to inspect: use `notation blob inspect --help` to see what parameters are required' },
    flags: [output], load: () => import('./commands/blob-inspect.js'),
  },
  { path: ['blob', 'policy'], short: 'Manage trust policy configuration for signed blobs', use: 'policy [command]', flags: [] },
  { path: ['blob', 'policy', 'import'], short: 'Import blob trust policy configuration from a JSON file', use: 'import [flags] <file_path>', flags: [{ name: 'force', type: 'bool', usage: 'override the existing blob trust policy configuration without prompt' }], load: () => import('./commands/policy.js') },
  { path: ['blob', 'policy', 'show'], short: 'Show blob trust policy configuration', use: 'show [flags]', args: { max: 0 }, flags: [], load: () => import('./commands/policy.js') },
  { path: ['blob', 'policy', 'init'], short: 'Initialize blob trust policy configuration', use: 'init [flags] --name <policy_name> --trust-store <store_type:store_name> --trusted-identity <trusted_identity>', args: { max: 0 }, flags: [{ name: 'name', short: 'n', type: 'string', usage: 'name of the blob trust policy' }, { name: 'trust-store', type: 'strings', value: 'stringArray', usage: 'trust store in the format "<store_type>:<store_name>"' }, { name: 'trusted-identity', type: 'strings', value: 'stringArray', usage: 'trusted identity, use the format "x509.subject:<subject_of_signing_certificate>" for x509 CA scheme and "<signing_authority_identity>" for x509 signingAuthority scheme' }, { name: 'force', type: 'bool', usage: 'override the existing blob trust policy configuration, never prompt (default --force=false)' }, { name: 'global', type: 'bool', usage: 'set the policy as the global policy (default --global=false)' }], load: () => import('./commands/policy.js') },
  { path: ['policy'], short: 'Manage trust policy configuration for OCI artifact signature verification', use: 'policy [command]', flags: [] },
  { path: ['policy', 'import'], short: 'Import OCI trust policy configuration from a JSON file', use: 'import [flags] <file_path>', flags: [{ name: 'force', type: 'bool', usage: 'override the existing OCI trust policy configuration without prompt' }], load: () => import('./commands/policy.js') },
  { path: ['policy', 'show'], short: 'Show OCI trust policy configuration', use: 'show [flags]', args: { max: 0 }, flags: [], load: () => import('./commands/policy.js') },
  { path: ['policy', 'init'], short: 'Initialize OCI trust policy configuration', use: 'init [flags] --name <policy_name> --trust-store <store_type:store_name> --trusted-identity <trusted_identity>', args: { max: 0 }, flags: [{ name: 'name', short: 'n', type: 'string', usage: 'name of the trust policy statement' }, { name: 'scope', type: 'strings', value: 'stringArray', usage: 'registry scope the statement covers, repeatable (default "*")' }, { name: 'trust-store', type: 'strings', value: 'stringArray', usage: 'trust store in the format "<store_type>:<store_name>"' }, { name: 'trusted-identity', type: 'strings', value: 'stringArray', usage: 'trusted identity, "x509.subject:<subject_of_signing_certificate>" or "*"' }, { name: 'level', type: 'string', default: 'strict', usage: 'verification level: strict, permissive, audit or skip' }, { name: 'override', type: 'strings', value: 'stringArray', usage: '{check}={action} pairs that change the level\'s action for a check, e.g. revocation=skip' }, { name: 'verify-timestamp', type: 'string', usage: 'when to verify timestamps: "always" or "afterCertExpiry" (default "always")' }, { name: 'force', type: 'bool', usage: 'override the existing OCI trust policy configuration, never prompt' }], load: () => import('./commands/policy.js') },
  { path: ['policy', 'explain'], short: 'Explain which trust policy statement applies to a reference and what each check will do', use: 'explain [flags] (<reference> | --blob [--policy-name <name>])', args: { max: 1 }, flags: [{ name: 'output', short: 'o', type: 'string', default: 'text', usage: "output format, options: 'text', 'json'" }, { name: 'blob', type: 'bool', usage: 'explain the blob trust policy (the global statement, or the one named by --policy-name)' }, { name: 'policy-name', type: 'string', usage: 'blob trust policy statement to explain (with --blob)' }], load: () => import('./commands/policy.js') },
  { path: ['policy', 'lint'], short: 'Report every problem of the OCI and blob trust policy files', use: 'lint [flags]', args: { max: 0 }, flags: [{ name: 'output', short: 'o', type: 'string', default: 'text', usage: "output format, options: 'text', 'json'" }], load: () => import('./commands/policy.js') },
  { path: ['certificate'], aliases: ['cert'], short: 'Manage certificates in trust store', use: 'certificate [command]', flags: [] },
  { path: ['certificate', 'add'], short: 'Add certificates to the trust store', use: 'add --type <type> --store <name> [flags] <cert_path>...', args: { min: 1, message: 'missing certificate path' }, flags: [{ name: 'type', short: 't', type: 'string', usage: 'specify trust store type, options: ca, signingAuthority, tsa' }, { name: 'store', short: 's', type: 'string', usage: 'specify named store' }], load: () => import('./commands/cert.js') },
  { path: ['certificate', 'list'], aliases: ['ls'], short: 'List certificates in the trust store', use: 'list [flags]', args: { max: 0 }, flags: [{ name: 'type', short: 't', type: 'string', usage: 'specify trust store type, options: ca, signingAuthority, tsa' }, { name: 'store', short: 's', type: 'string', usage: 'specify named store' }], load: () => import('./commands/cert.js') },
  { path: ['certificate', 'show'], short: 'Show certificate details given trust store type, named store, and certificate file name. If the certificate file contains multiple certificates, then all certificates are displayed', use: 'show --type <type> --store <name> [flags] <cert_fileName>', flags: [{ name: 'type', short: 't', type: 'string', usage: 'specify trust store type, options: ca, signingAuthority, tsa' }, { name: 'store', short: 's', type: 'string', usage: 'specify named store' }], load: () => import('./commands/cert.js') },
  { path: ['certificate', 'delete'], short: 'Delete certificates from the trust store', use: 'delete --type <type> --store <name> [flags] (--all | <cert_fileName>)', flags: [{ name: 'type', short: 't', type: 'string', usage: 'specify trust store type, options: ca, signingAuthority, tsa' }, { name: 'store', short: 's', type: 'string', usage: 'specify named store' }, { name: 'all', short: 'a', type: 'bool', usage: 'delete all certificates in the named store' }, { name: 'yes', short: 'y', type: 'bool', usage: 'do not prompt for confirmation' }], load: () => import('./commands/cert.js') },
  { path: ['certificate', 'generate-test'], short: 'Generate a test RSA key and a corresponding self-signed certificate', use: 'generate-test [flags] <common_name>', args: { min: 1, max: 1, message: 'missing certificate common_name' }, flags: [{ name: 'bits', short: 'b', type: 'int', default: 2048, usage: 'RSA key bits' }, { name: 'default', type: 'bool', usage: 'mark as default signing key' }], load: () => import('./commands/cert-test.js') },
  { path: ['certificate', 'cleanup-test'], short: 'Clean up a test RSA key and its corresponding certificate that were generated using the "generate-test" command', use: 'cleanup-test [flags] <common_name>', args: { min: 1, max: 1, message: 'missing certificate common name' }, flags: [{ name: 'yes', short: 'y', type: 'bool', usage: 'do not prompt for confirmation' }], load: () => import('./commands/cert-test.js') },
  { path: ['key'], short: 'Manage keys used for signing', use: 'key [command]', flags: [] },
  { path: ['key', 'add'], short: 'Add key to signing key list', use: 'add --plugin <plugin_name> [flags] <key_name>', args: { min: 1, message: 'either missing key name or unnecessary parameters passed' }, flags: [{ name: 'plugin', type: 'string', usage: 'signing plugin name' }, { name: 'id', type: 'string', usage: 'key id (required if --plugin is set)' }, pluginConfig, { name: 'default', type: 'bool', usage: 'mark as default' }], load: () => import('./commands/key.js') },
  { path: ['key', 'list'], aliases: ['ls'], short: 'List keys used for signing', use: 'list [flags]', args: { max: 0 }, flags: [], load: () => import('./commands/key.js') },
  { path: ['key', 'update'], aliases: ['set'], short: 'Update key in signing key list', use: 'update [flags] <key_name>', args: { min: 1, max: 1, message: 'missing key name' }, flags: [{ name: 'default', type: 'bool', usage: 'mark as default' }], load: () => import('./commands/key.js') },
  { path: ['key', 'delete'], aliases: ['rm', 'remove'], short: 'Delete key from signing key list', use: 'delete [flags] <key_name>...', args: { min: 1, message: 'missing key names' }, flags: [], load: () => import('./commands/key.js') },
  { path: ['plugin'], short: 'Manage plugins', use: 'plugin [command]', flags: [] },
  { path: ['plugin', 'list'], aliases: ['ls'], short: 'List installed plugins', use: 'list [flags]', args: { max: 0 }, flags: [], load: () => import('./commands/plugin.js') },
  { path: ['plugin', 'install'], aliases: ['add'], short: 'Install a plugin', use: 'install [flags] <--file|--url> <plugin_source>', flags: [{ name: 'file', type: 'bool', usage: 'install plugin from a file on file system' }, { name: 'url', type: 'bool', usage: 'install plugin from an HTTPS URL. The plugin download timeout is 10m0s' }, { name: 'sha256sum', type: 'string', usage: 'must match SHA256 of the plugin source, required when "--url" flag is set' }, { name: 'force', type: 'bool', usage: 'force the installation of the plugin' }], load: () => import('./commands/plugin.js') },
  { path: ['plugin', 'uninstall'], aliases: ['remove', 'rm'], short: 'Uninstall a plugin', use: 'uninstall [flags] <plugin_name>', args: { min: 1, message: 'plugin name is required' }, flags: [{ name: 'yes', short: 'y', type: 'bool', usage: 'do not prompt for confirmation' }], load: () => import('./commands/plugin.js') },
  { path: ['login'], short: 'Login to registry', use: 'login [flags] <server>', args: { min: 1, max: 1, message: 'no hostname specified' }, flags: [{ name: 'password-stdin', type: 'bool', usage: 'take the password from stdin' }, ...registryFlags], load: () => import('./commands/login.js') },
  { path: ['logout'], short: 'Log out from the logged in registries', use: 'logout [flags] <server>', args: { min: 1, max: 1, message: 'no hostname specified' }, flags: [], load: () => import('./commands/login.js') },
  { path: ['cache'], short: 'Manage the revocation cache', use: 'cache [command]', flags: [] },
  { path: ['cache', 'crl'], short: 'Manage the CRL cache', use: 'crl [command]', flags: [] },
  { path: ['cache', 'crl', 'fetch'], short: 'Fetch the CRLs of a certificate chain into the cache for offline verification', use: 'fetch [flags] <cert_chain_path>', args: { min: 1, max: 1, message: 'missing certificate chain path' }, flags: [], load: () => import('./commands/cache.js') },
  { path: ['version'], short: 'Show the notation-ts version information', use: 'version', args: { max: 0 }, flags: [], load: () => import('./commands/version.js') },
];

function findCommand(argv: string[]): { def?: CommandDef; rest: string[]; path: string[] } {
  let cands = COMMANDS;
  const path: string[] = [];
  let i = 0;
  let def: CommandDef | undefined;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word.startsWith('-')) break;
    const next = cands.find((c) => c.path.length === path.length + 1 && c.path.slice(0, path.length).join(' ') === path.join(' ') && (c.path[path.length] === word || c.aliases?.includes(word)));
    if (!next) break;
    def = next;
    path.push(next.path[path.length]);
    cands = COMMANDS.filter((c) => c.path.length > path.length && c.path.slice(0, path.length).join(' ') === path.join(' '));
  }
  return { def, rest: argv.slice(i), path };
}

function help(def: CommandDef | undefined, out: Output): void {
  const path = def?.path ?? [];
  const subs = COMMANDS.filter((c) => c.path.length === path.length + 1 && c.path.slice(0, path.length).join(' ') === path.join(' '));
  out.write(`${def?.short ?? 'notation-ts - sign and verify artifacts the way notation does'}\n\nUsage:\n`);
  if (def?.load || !def) out.write(`  notation-ts ${[...path.slice(0, -1), def?.use ?? '[command]'].join(' ')}\n`);
  if (subs.length) out.write(`  notation-ts ${path.join(' ')}${path.length ? ' ' : ''}[command]\n`);
  if (def?.aliases?.length) out.write(`\nAliases:\n  ${[def.path[def.path.length - 1], ...def.aliases].join(', ')}\n`);
  if (subs.length) {
    out.write('\nAvailable Commands:\n');
    const w = Math.max(...subs.map((s) => s.path[s.path.length - 1].length)) + 2;
    for (const s of subs) out.write(`  ${s.path[s.path.length - 1].padEnd(w)}${s.short}\n`);
  }
  const flags = [...(def?.flags ?? []), ...common].filter((f) => !f.hidden);
  out.write('\nFlags:\n');
  const names = flags.map((f) => `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.type === 'bool' ? '' : ` ${f.value ?? (f.type === 'int' ? 'int' : 'string')}`}`);
  const w = Math.max(...names.map((n) => n.length)) + 3;
  flags.forEach((f, i) => {
    const dflt = f.default !== undefined && f.default !== false && f.default !== '' ? ` (default ${typeof f.default === 'string' ? JSON.stringify(f.default) : f.default})` : '';
    out.write(`  ${names[i].padEnd(w)}${f.usage}${dflt}\n`);
  });
}

export interface RunIO {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  isTTY?: boolean;
  readStdin?: () => Promise<string>;
  /** Reads one line of an interactive stdin; absent when stdin is not a terminal. */
  readLine?: () => Promise<string | undefined>;
}

/** Runs the CLI; returns the exit code. Never throws for bad input. */
export async function run(argv: string[], io: RunIO): Promise<number> {
  const { def, rest, path } = findCommand(argv);
  try {
    const specs = [...(def?.flags ?? []), ...common];
    const parsed = parseArgs(rest, specs);
    if (parsed.flags.help || !def || !def.load) {
      if (!parsed.flags.help && parsed.args.length > 0) {
        throw new UsageError('UNKNOWN_COMMAND', `unknown command "${parsed.args[0]}" for "notation-ts${path.length ? ' ' + path.join(' ') : ''}"`);
      }
      help(def, io.stdout);
      return 0;
    }
    const a = def.args;
    if (a) {
      if (a.min !== undefined && parsed.args.length < a.min) throw new UsageError('MISSING_ARGUMENT', a.message ?? `requires at least ${a.min} arg(s), only received ${parsed.args.length}`);
      if (a.max !== undefined && parsed.args.length > a.max) {
        throw new UsageError('TOO_MANY_ARGUMENTS', a.max === 0 ? `unknown command "${parsed.args[0]}" for "notation-ts ${path.join(' ')}"` : `accepts at most ${a.max} arg(s), received ${parsed.args.length}`);
      }
    }
    const mod = await def.load();
    const ctx: CliContext = {
      args: parsed.args,
      flags: parsed.flags,
      changed: parsed.changed,
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
      cwd: io.cwd,
      // A getter: the io may answer lazily (bin asks node:tty only when needed).
      get isTTY() {
        return io.isTTY ?? false;
      },
      readStdin: io.readStdin ?? (async () => ''),
      readLine: io.readLine,
    };
    (ctx as CliContext & { command: string[] }).command = def.path;
    const code = await mod.run(ctx);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    io.stderr.write(`Error: ${e instanceof NotationError || e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.NOTATION_TS_STACK && e instanceof Error) io.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
