/** Every fuzz target, in the order the runners use. */
import type { FuzzTarget } from '../harness.js';
import { envelopeTarget } from './envelope.js';
import { x509Target } from './x509.js';
import { revocationTarget } from './revocation.js';
import { timestampTarget } from './timestamp.js';
import { trustPolicyTarget, pluginJsonTarget, ociManifestTarget } from './json.js';
import { trustStoreTarget, ociLayoutTarget } from './fs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TARGETS: FuzzTarget<any, any>[] = [
  envelopeTarget,
  x509Target,
  revocationTarget,
  timestampTarget,
  trustPolicyTarget,
  pluginJsonTarget,
  ociManifestTarget,
  trustStoreTarget,
  ociLayoutTarget,
];
