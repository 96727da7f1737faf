/** RFC 3161 timestamping: token parsing and verification, and the TSA client. */
export { parseTimestampToken, TimestampToken, type TokenVerifyOptions, type TokenVerifyResult } from './token.js';
export { parseTSTInfo, validateTSTInfo, timestampRange, type TSTInfo, type Timestamp, type MessageImprint, type Accuracy } from './tstinfo.js';
export { parseSignedData, verifySignedData, verifySigner, verifySignedAttributes, type ParsedSignedData, type CmsSignerInfo } from './cms.js';
export {
  requestTimestamp,
  timestampSignature,
  createTimestampRequest,
  encodeTimestampRequest,
  parseTimestampResponse,
  validateTimestampResponse,
  statusError,
  DEFAULT_TSA_TIMEOUT_MS,
  MAX_TSA_RESPONSE_BYTES,
  MEDIA_TYPE_TIMESTAMP_QUERY,
  MEDIA_TYPE_TIMESTAMP_REPLY,
  type RequestTimestampOptions,
  type TimestampRequest,
  type TimestampResponse,
} from './client.js';
export { convertToDer } from './ber.js';
