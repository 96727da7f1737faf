/** The verifier's plugin hooks over the installed plugins of a libexec dir (CLI wiring). */
// Not the barrel (index.ts), and the manager only when a signature names a plugin:
// it brings archive support and process spawning, which most verifications never use.
import type { PluginLocator } from './manager.js';
import { createVerificationPluginHooks } from './verification.js';

export function verificationPluginHooks(libexecDir: string) {
  let manager: Promise<PluginLocator> | undefined;
  const load = () => (manager ??= import('./manager.js').then((m) => new m.PluginManager(libexecDir)));
  const locator: PluginLocator = {
    get: async (name) => (await load()).get(name),
    list: async () => (await load()).list(),
  };
  return createVerificationPluginHooks(locator);
}
