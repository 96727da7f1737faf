/** notation's config dir: locations, config.json, signingkeys.json, local test keys. */
export * from './dirs.js';
export * from './config.js';
export * from './signingkeys.js';
export * from './testcert.js';
export { writeFileAtomic, readRegularFile, pathExists, MAX_CONFIG_FILE_BYTES, type AtomicWriteOptions } from './fsutil.js';
export { goMarshal, goEncodeIndent, goMap, compareUtf8 } from './gojson.js';
