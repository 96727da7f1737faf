/**
 * An in-memory plugin and locator for tests and the conformance runner (mirrors
 * notation-go's mock.PluginManager): the `params.plugin` block of the corpus's
 * plugin cases plus an optional verify-signature response JSON.
 *
 *   const hooks = createVerificationPluginHooks(mockPluginLocator(c.params.plugin, response));
 */
import { PluginError } from '../../../src/errors.js';
import { decodeResponseValue, type GetMetadataResponse, type Plugin, type PluginLocator, type VerifySignatureRequest } from '../../../src/plugins/index.js';

export interface MockPluginParams {
  installed?: boolean;
  metadata?: GetMetadataResponse;
  /** verify-signature fails with this message (code PLUGIN_MALFORMED). */
  executionError?: string;
}

export class MockPlugin implements Plugin {
  readonly name: string;
  /** Every verify-signature request received. */
  readonly verifyRequests: VerifySignatureRequest[] = [];
  constructor(
    private readonly params: MockPluginParams,
    private readonly verifyResponse?: unknown,
  ) {
    this.name = params.metadata?.name ?? 'mock';
  }
  async getMetadata(): Promise<GetMetadataResponse> {
    if (!this.params.metadata) throw new PluginError('PLUGIN_MALFORMED', 'mock plugin has no metadata');
    return this.params.metadata;
  }
  async describeKey(): Promise<never> {
    throw new PluginError('PLUGIN_CAPABILITY_MISSING', 'mock plugin cannot describe keys');
  }
  async generateSignature(): Promise<never> {
    throw new PluginError('PLUGIN_CAPABILITY_MISSING', 'mock plugin cannot sign');
  }
  async generateEnvelope(): Promise<never> {
    throw new PluginError('PLUGIN_CAPABILITY_MISSING', 'mock plugin cannot sign');
  }
  async verifySignature(request: VerifySignatureRequest) {
    this.verifyRequests.push(request);
    if (this.params.executionError) throw new PluginError('PLUGIN_MALFORMED', this.params.executionError);
    return decodeResponseValue('verify-signature', this.verifyResponse ?? {});
  }
}

/** A locator whose get() fails with "plugin not found" when the plugin is not installed. */
export function mockPluginLocator(params: MockPluginParams, verifyResponse?: unknown): PluginLocator & { plugin?: MockPlugin } {
  const plugin = params.installed === false ? undefined : new MockPlugin(params, verifyResponse);
  return {
    plugin,
    async get() {
      if (!plugin) throw new PluginError('PLUGIN_NOT_FOUND', 'plugin not found');
      return plugin;
    },
    async list() {
      return plugin ? [plugin.name] : [];
    },
  };
}
