// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/type/v3/semantic_version.proto


/**
 * Envoy uses SemVer (https://semver.org/). Major/minor versions indicate
 * expected behaviors and APIs, the patch version field is used only
 * for security fixes and can be generally ignored.
 */
export interface SemanticVersion {
  'majorNumber'?: (number);
  'minorNumber'?: (number);
  'patch'?: (number);
}

/**
 * Envoy uses SemVer (https://semver.org/). Major/minor versions indicate
 * expected behaviors and APIs, the patch version field is used only
 * for security fixes and can be generally ignored.
 */
export interface SemanticVersion__Output {
  'majorNumber': (number);
  'minorNumber': (number);
  'patch': (number);
}
