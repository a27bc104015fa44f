// Pilot's metrics, under Istio's names where Istio has one, so Istio's
// dashboards and alerts read Sextant's Pilot unchanged: the xDS server's
// (pilot_xds, pilot_xds_pushes, pilot_xds_push_time,
// pilot_proxy_convergence_time, pilot_total_xds_rejects) plus the push
// pipeline's (pilot_push_triggers, pilot_debounce_time,
// pilot_pushcontext_init_seconds, pilot_services, pilot_virt_services,
// pilot_xds_cache_reads, pilot_xds_cache_size, pilot_inbound_updates) and
// Sextant's own config ones.
import { Counter, Gauge, Histogram, type Registry } from '@sextant/admin';
import { prometheusXdsMetrics, type XdsMetrics } from '@sextant/xds-server';
import type { PipelineMetrics } from './push-pipeline';
import type { PushHistory } from './push-history';
import type { SnapshotSourceHooks } from './snapshot-source';

export interface PilotMetrics {
  xds: XdsMetrics;
  pipeline: PipelineMetrics;
  source: SnapshotSourceHooks;
  /** A config or registry update arrived (Istio's pilot_inbound_updates types: config, eds, svc). */
  inbound(type: 'config' | 'eds' | 'svc'): void;
}

export interface MetricSources {
  /** Cache entries (distinct proxy configurations) of the current push. */
  cacheSize(): number;
  /** Resources skipped because they fail validation. */
  invalidConfigs(): number;
}

const SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 3, 5, 10];

export function pilotMetrics(registry: Registry, history: PushHistory, sources: MetricSources): PilotMetrics {
  const registers = [registry];
  const xds = prometheusXdsMetrics(registry);
  const triggers = new Counter({ name: 'pilot_push_triggers', help: 'Pushes triggered, by reason.', labelNames: ['type'], registers });
  const debounceTime = new Histogram({ name: 'pilot_debounce_time', help: 'Seconds from the first change to the push that carries it.', buckets: SECONDS, registers });
  const initTime = new Histogram({ name: 'pilot_pushcontext_init_seconds', help: 'Seconds to build a push context.', buckets: SECONDS, registers });
  const services = new Gauge({ name: 'pilot_services', help: 'Services Pilot knows.', registers });
  const virtualServices = new Gauge({ name: 'pilot_virt_services', help: 'VirtualServices Pilot knows.', registers });
  const destinationRules = new Gauge({ name: 'pilot_destination_rules', help: 'DestinationRules Pilot knows.', registers });
  const cacheReads = new Counter({ name: 'pilot_xds_cache_reads', help: 'Snapshot cache reads, by hit or miss.', labelNames: ['type'], registers });
  new Gauge({
    name: 'pilot_xds_cache_size',
    help: 'Cache entries (distinct proxy configurations) of the current push.',
    registers,
    collect() {
      this.set(sources.cacheSize());
    },
  });
  const translateTime = new Histogram({ name: 'pilot_xds_translate_time', help: 'Seconds to translate one cache entry.', buckets: SECONDS, registers });
  const internalErrors = new Counter({ name: 'pilot_total_xds_internal_errors', help: 'Snapshot generations that failed.', registers });
  const inbound = new Counter({ name: 'pilot_inbound_updates', help: 'Config and registry updates received, by type.', labelNames: ['type'], registers });
  new Gauge({
    name: 'sextant_pilot_invalid_configs',
    help: 'Resources in the config bucket Pilot skips because they fail validation.',
    registers,
    collect() {
      this.set(sources.invalidConfigs());
    },
  });
  return {
    xds: {
      ...xds,
      converged: (t, ms) => {
        xds.converged?.(t, ms);
        history.converged(t, ms);
      },
      nacked: (t, proxy, message) => {
        xds.nacked?.(t, proxy, message);
        history.nacked(t);
      },
    },
    pipeline: {
      trigger: (reason) => triggers.inc({ type: reason }),
      debounced: (ms) => debounceTime.observe(ms / 1000),
      pushContextBuilt: (ms, push) => {
        initTime.observe(ms / 1000);
        services.set(push.services().length);
        virtualServices.set(push.virtualServices().length);
        destinationRules.set(push.destinationRules().length);
      },
    },
    source: {
      cacheRead: (hit) => cacheReads.inc({ type: hit ? 'hit' : 'miss' }),
      translated: (ms) => translateTime.observe(ms / 1000),
      translateFailed: () => internalErrors.inc(),
    },
    inbound: (type) => inbound.inc({ type }),
  };
}
