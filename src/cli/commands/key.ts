/**
 * `notation-ts key add|list|update|delete`: the signing key list in signingkeys.json
 * (notation cmd/notation/key.go, same output lines).
 */
import { join } from 'node:path';
import type { CliContext } from '../context.js';
import { configDir, libexecDir } from '../context.js';
import { UsageError } from '../../errors.js';
import { parseFlagMap } from '../args.js';
import { logger } from '../common.js';
import { addPluginKey, deleteKeys, formatKeyList, loadSigningKeys, setDefaultKey } from '../../config/signingkeys.js';

export async function run(ctx: CliContext): Promise<number> {
  const sub = (ctx as CliContext & { command?: string[] }).command?.[1];
  switch (sub) {
    case 'add':
      return add(ctx);
    case 'list':
      ctx.stdout.write(formatKeyList(loadSigningKeys(configDir(ctx.env))));
      return 0;
    case 'update':
      return update(ctx);
    case 'delete':
      return remove(ctx);
    default:
      throw new UsageError('UNKNOWN_COMMAND', `unknown key command ${JSON.stringify(sub ?? '')}`);
  }
}

function add(ctx: CliContext): number {
  if (ctx.args.length !== 1) throw new UsageError('MISSING_ARGUMENT', 'either missing key name or unnecessary parameters passed');
  // cobra's MarkFlagRequired("plugin"): the flag must be given (an empty value passes here and fails below).
  if (!ctx.changed.has('plugin')) throw new UsageError('REQUIRED_FLAG', 'required flag(s) "plugin" not set');
  const pluginConfig = parseFlagMap(ctx.flags['plugin-config'] as string[], 'plugin-config');
  const name = ctx.args[0];
  const isDefault = !!ctx.flags.default;
  addPluginKey(configDir(ctx.env), {
    name,
    id: (ctx.flags.id as string | undefined) ?? '',
    pluginName: (ctx.flags.plugin as string | undefined) ?? '',
    pluginConfig,
    isDefault,
    pluginsDir: join(libexecDir(ctx.env), 'plugins'),
  });
  ctx.stdout.write(isDefault ? `${name}: marked as default\n` : `${name}\n`);
  return 0;
}

function update(ctx: CliContext): number {
  const name = ctx.args[0];
  if (!ctx.flags.default) {
    logger(ctx).warn('--default flag is not set, command did not take effect');
    return 0;
  }
  setDefaultKey(configDir(ctx.env), name);
  ctx.stdout.write(`${name}: marked as default\n`);
  return 0;
}

function remove(ctx: CliContext): number {
  let result;
  try {
    result = deleteKeys(configDir(ctx.env), ctx.args);
  } catch (e) {
    logger(ctx).error?.(`Keys deletion failed to complete with error: ${(e as Error).message}`);
    throw e;
  }
  const { deleted, previousDefault } = result;
  if (deleted.length === 1) {
    const name = deleted[0];
    ctx.stdout.write(
      name === previousDefault
        ? `Removed default key ${name} from Notation signing key list. The source key still exists.\n`
        : `Removed ${name} from Notation signing key list. The source key still exists.\n`,
    );
  } else if (deleted.length > 1) {
    ctx.stdout.write('Removed the following keys from Notation signing key list. The source keys still exist.\n');
    for (const name of deleted) ctx.stdout.write(name === previousDefault ? `${name} (default)\n` : `${name}\n`);
  }
  return 0;
}
