// The analyzer contract and the runner. Each analyzer declares its name, a
// description, the inputs it reads and the codes it may report; the runner
// skips an analyzer whose registry inputs are unknown (rather than let it
// report everything as missing), isolates failures (IST0001), applies the
// namespace filter and sorts.
import { DEFAULT_DOMAIN_SUFFIX, type IstioKind } from '@sextant/config-model';
import { AnalysisContext, type ResolvedOptions } from './context';
import { locate, type AnalysisInput } from './input';
import { sortMessages, type Message } from './message';
import type { MessageCode } from './messages';

/** What an analyzer reads: resources of a kind, or parts of the registry. */
export type AnalyzerInput = IstioKind | 'services' | 'workloads' | 'secrets';

/** Inputs that may be unknown; an analyzer that needs an unknown one is skipped. */
export const REGISTRY_INPUTS = ['services', 'workloads', 'secrets'] as const;
export type RegistryInput = (typeof REGISTRY_INPUTS)[number];

export interface Analyzer {
  /** `<area>.<Name>Analyzer`, e.g. `virtualservice.DestinationHostAnalyzer`. */
  readonly name: string;
  readonly description: string;
  /** Inputs it needs; it is skipped when a registry input among them is unknown. */
  readonly inputs: readonly AnalyzerInput[];
  /** Registry inputs it uses when known and does without otherwise. */
  readonly optionalInputs?: readonly RegistryInput[];
  /** Every code the analyzer may report. */
  readonly codes: readonly MessageCode[];
  analyze(ctx: AnalysisContext): void;
}

export interface AnalyzeOptions {
  /** Cluster domain for short host names; default `cluster.local`. */
  domainSuffix?: string;
  /** Namespace whose policies apply mesh-wide; default `istio-system`. */
  rootNamespace?: string;
  /** Report only messages about resources of this namespace (and messages about no resource); default: all. */
  namespace?: string;
  /** Analyzers to run; default every analyzer (ALL_ANALYZERS). */
  analyzers?: readonly Analyzer[];
  /**
   * Sextant allocates a virtual IP to every ServiceEntry host that resolves
   * (resolution other than NONE, not a wildcard); set false to analyse as if
   * it did not (Istio without DNS auto-allocation). Default true.
   */
  autoAllocateAddresses?: boolean;
}

export interface AnalysisPlan {
  run: Analyzer[];
  skipped: { analyzer: string; missing: RegistryInput[] }[];
}

export function availableInputs(input: AnalysisInput): Set<RegistryInput> {
  const out = new Set<RegistryInput>();
  if (input.services) out.add('services');
  if (input.workloads) out.add('workloads');
  if (input.secrets) out.add('secrets');
  return out;
}

/** Which analyzers run on this input, and which are skipped for want of which inputs. */
export function planAnalysis(input: AnalysisInput, analyzers: readonly Analyzer[]): AnalysisPlan {
  const available = availableInputs(input);
  const plan: AnalysisPlan = { run: [], skipped: [] };
  for (const a of analyzers) {
    const missing = REGISTRY_INPUTS.filter((i) => a.inputs.includes(i) && !available.has(i));
    if (missing.length) plan.skipped.push({ analyzer: a.name, missing });
    else plan.run.push(a);
  }
  return plan;
}

export function resolveOptions(options: AnalyzeOptions): ResolvedOptions {
  return {
    domainSuffix: options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX,
    rootNamespace: options.rootNamespace ?? 'istio-system',
    autoAllocateAddresses: options.autoAllocateAddresses ?? true,
  };
}

/** Runs analyzers over the input; pure (no I/O). Messages come sorted, errors first. */
export function runAnalyzers(input: AnalysisInput, analyzers: readonly Analyzer[], options: AnalyzeOptions = {}): Message[] {
  const plan = planAnalysis(input, analyzers);
  const ctx = new AnalysisContext(input.resources.map(locate), { services: input.services, workloads: input.workloads }, input.secrets, resolveOptions(options));
  for (const analyzer of plan.run) {
    ctx.begin(analyzer.name);
    try {
      analyzer.analyze(ctx);
    } catch (err) {
      ctx.report('IST0001', undefined, `analyzer ${analyzer.name} failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  const ns = options.namespace;
  const messages = ns === undefined ? ctx.messages : ctx.messages.filter((m) => !m.origin || m.origin.namespace === ns || m.origin.namespace === '');
  return sortMessages(messages);
}
