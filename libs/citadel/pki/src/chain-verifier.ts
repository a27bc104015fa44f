// Chain verification is shared with workloads (they check what Citadel
// answers): it lives in @sextant/workload-identity; re-exported here for
// Citadel's code.
export { splitPem, subjectText, uriSans, verifyChain, type VerifiedChain } from '@sextant/workload-identity';
