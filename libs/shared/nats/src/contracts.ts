// Bucket and subject names are a contract between the parts (DESIGN.md §2).
export const BUCKETS = {
  /** One entry per Istio resource; key kind.namespace.name (encoded); Galley writes, Pilot watches. */
  config: 'sextant_config',
  /** Workload instances announced off Kubernetes; entries expire unless kept alive. */
  workloads: 'sextant_workloads',
  /** The current trust bundle; Citadel writes. */
  trust: 'sextant_trust',
} as const;

export const SUBJECTS = {
  metrics: 'sextant.telemetry.metrics',
  spans: 'sextant.telemetry.spans',
  logs: 'sextant.telemetry.logs',
} as const;

/** How long a workload entry lives without a refresh, and how often owners refresh it. */
export const WORKLOAD_TTL_MS = 15_000;
export const WORKLOAD_REFRESH_MS = 5_000;
