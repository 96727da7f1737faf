/** Verification-plugin hooks over the corpus's mocked plugin (params.plugin + response JSON). */
import type { VerificationPluginHooks } from '../../../src/verifier/verifier.js';
import { createVerificationPluginHooks } from '../../../src/plugins/index.js';
import { mockPluginLocator } from '../../helpers/plugins/mock.js';

export function mockPluginHooks(params: unknown, response: unknown): VerificationPluginHooks {
  return createVerificationPluginHooks(mockPluginLocator(params as never, response));
}
