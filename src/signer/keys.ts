/**
 * From a signingkeys.json entry to a Signer. Local keys are loaded here; plugin keys
 * (including the in-process `pkcs11` one) are built by the caller's factory, since
 * plugin signers live in their own modules.
 */
import { SigningError } from '../errors.js';
import type { KeySuite } from '../config/signingkeys.js';
import { loadLocalSigner } from './local.js';
import type { Signer } from './types.js';

export type PluginSignerFactory = (key: KeySuite & { id: string; pluginName: string }) => Signer | Promise<Signer>;

export async function signerForKey(key: KeySuite, pluginSigner?: PluginSignerFactory): Promise<Signer> {
  if (key.keyPath || key.certPath) return loadLocalSigner(key.keyPath ?? '', key.certPath ?? '');
  if (key.pluginName && key.id) {
    if (!pluginSigner) throw new SigningError('PLUGIN_SIGNER_UNAVAILABLE', `key ${key.name} is a plugin key (plugin ${key.pluginName}); no plugin signer is available`);
    return pluginSigner({ ...key, id: key.id, pluginName: key.pluginName });
  }
  throw new SigningError('INVALID_SIGNING_KEY', `key ${key.name} has neither a key file and certificate nor a plugin id`);
}
