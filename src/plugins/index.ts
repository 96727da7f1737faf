/** The notation plugin protocol (contract 1.0): types, runner, discovery, verification steps. */
export * from './errors.js';
export * from './protocol.js';
export * from './semver.js';
export * from './process.js';
export * from './plugin.js';
export * from './manager.js';
export * from './verification.js';
export { decodeBase64Std, encodeBase64Std, goMarshal, GO_ZERO_TIME } from './gojson.js';
export { ArchiveError, MAX_PLUGIN_BYTES, readZip, readTar, readTarGz, detectArchiveKind } from './archive.js';
