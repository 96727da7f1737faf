/** The verifier's plugin hooks over the installed plugins of a libexec dir (CLI wiring). */
import { PluginManager, createVerificationPluginHooks } from './index.js';

export function verificationPluginHooks(libexecDir: string) {
  return createVerificationPluginHooks(new PluginManager(libexecDir));
}
