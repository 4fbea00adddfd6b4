/** The release (package.json's `version`; a test keeps the two equal), named in the OpenAPI document. */
export const SERVICE_VERSION = '1.0.0';
