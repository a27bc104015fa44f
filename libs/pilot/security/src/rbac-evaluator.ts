// Moved to @sextant/policy (shared with the proxy); re-exported so this
// library's modules and tests keep their imports.
export * from '@sextant/policy';
