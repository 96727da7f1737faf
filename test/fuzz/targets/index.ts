/** Every fuzz target, in the order the runners use. */
import type { FuzzTarget } from '../harness.js';
import { envelopeTarget } from './envelope.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TARGETS: FuzzTarget<any, any>[] = [envelopeTarget];
