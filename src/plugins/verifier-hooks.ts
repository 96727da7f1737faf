/** The verifier's plugin hooks over the installed plugins of a libexec dir (CLI wiring). */
// Not the barrel (index.ts): that also loads archive support (node:zlib) at start-up.
import { PluginManager } from './manager.js';
import { createVerificationPluginHooks } from './verification.js';

export function verificationPluginHooks(libexecDir: string) {
  return createVerificationPluginHooks(new PluginManager(libexecDir));
}
