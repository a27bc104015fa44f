// `istioctl analyze` in one call: input files are decoded and validated
// (problems become IST0106/IST0133 messages), Kubernetes objects among them
// describe the registry, the valid resources are laid over the live
// configuration (a file's resource replaces the stored one of the same
// identity), and everything is analysed together.
import { findKind, keyOf, parseApiVersion, type IstioResource } from '@sextant/config-model';
import { decodeFiles, validateDocuments, type DecodedDocument, type DecodeLimits, type InputFile } from '@sextant/validation';
import { planAnalysis, type AnalysisPlan, type AnalyzeOptions } from './analyzer';
import { ALL_ANALYZERS, analyze } from './all-analyzers';
import { locate, type LocatedResource, type WorkloadInfo } from './input';
import { countMessages, sortMessages, type Message, type MessageCounts } from './message';
import { isRegistryObject, mergeRegistries, registryFromManifests, type RegistryInput } from './registry-input';
import { validationMessages } from './validation-messages';

export interface FileAnalysisInput {
  files: readonly InputFile[];
  /** The running mesh: its stored configuration and its registry. */
  live?: { resources: readonly (IstioResource | LocatedResource)[]; registry?: RegistryInput };
  /** More registry knowledge (e.g. a local workloads file). */
  registry?: RegistryInput;
}

export interface FileAnalysisOptions extends AnalyzeOptions {
  /** Namespace of documents that name none; default `default`. */
  defaultNamespace?: string;
  limits?: Partial<DecodeLimits>;
  /**
   * Add Istio's default ingress gateway (labels istio=ingressgateway in
   * istio-system, ports unknown) to known workloads that hold no such
   * workload, as istioctl does for file analysis: every mesh has one, but it
   * is rarely among the files or announced in the registry. Default false.
   */
  defaultIngressGateway?: boolean;
}

export const DEFAULT_INGRESS_GATEWAY: WorkloadInfo = {
  name: 'istio-ingressgateway',
  namespace: 'istio-system',
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
};

export interface FileAnalysisResult {
  /** Sorted, errors first; already limited to `options.namespace` when set. */
  messages: Message[];
  counts: MessageCounts;
  sources: {
    files: number;
    /** Valid Istio resources read from the files. */
    fileResources: number;
    /** Live resources analysed (those not replaced by a file's). */
    liveResources: number;
    /** Live resources a file replaced. */
    replacedLive: number;
    /** Kubernetes objects (Services, Pods, workloads, Secrets) read from the files. */
    registryObjects: number;
    /** Undefined when unknown. */
    services?: number;
    workloads?: number;
    secrets?: number;
  };
  skipped: AnalysisPlan['skipped'];
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Istio configuration: a kind Sextant knows, or any kind of an istio.io group (refused by validation when unknown). */
function isIstioDocument(doc: DecodedDocument): boolean {
  const kind = str(doc.value['kind']);
  if (!kind || findKind(kind)) return true;
  const { group } = parseApiVersion(str(doc.value['apiVersion']));
  return group === 'istio.io' || group.endsWith('.istio.io');
}

export function analyzeFiles(input: FileAnalysisInput, options: FileAnalysisOptions = {}): FileAnalysisResult {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const decoded = decodeFiles(input.files, options.limits);
  const istioDocs = decoded.documents.filter(isIstioDocument);
  const registryDocs = decoded.documents.filter((d) => !isIstioDocument(d) && isRegistryObject(d.value));
  const validated = validateDocuments(istioDocs, { defaultNamespace });
  const schemaMessages = validationMessages([...decoded.errors, ...validated.errors, ...validated.warnings], defaultNamespace);

  const fromFiles = registryDocs.length ? registryFromManifests(registryDocs.map((d) => d.value), defaultNamespace) : undefined;
  const merged = mergeRegistries(input.live?.registry, input.registry, fromFiles);
  const addGateway = options.defaultIngressGateway && merged.workloads && !merged.workloads.some((w) => w.labels['istio'] === 'ingressgateway');
  const registry = addGateway ? { ...merged, workloads: [...merged.workloads!, DEFAULT_INGRESS_GATEWAY] } : merged;

  const fileKeys = new Set(validated.resources.map((r) => keyOf(r.resource)));
  const live = (input.live?.resources ?? []).map(locate);
  const keptLive = live.filter((l) => !fileKeys.has(keyOf(l.resource)));
  const resources: LocatedResource[] = [...keptLive, ...validated.resources];

  const analysisInput = { resources, ...registry };
  const analysed = analyze(analysisInput, options);
  const ns = options.namespace;
  const schema = ns === undefined ? schemaMessages : schemaMessages.filter((m) => !m.origin || m.origin.namespace === ns || m.origin.namespace === '');
  const messages = sortMessages([...schema, ...analysed]);
  return {
    messages,
    counts: countMessages(messages),
    sources: {
      files: input.files.length,
      fileResources: validated.resources.length,
      liveResources: keptLive.length,
      replacedLive: live.length - keptLive.length,
      registryObjects: registryDocs.length,
      ...(registry.services ? { services: registry.services.length } : {}),
      ...(registry.workloads ? { workloads: registry.workloads.length } : {}),
      ...(registry.secrets ? { secrets: registry.secrets.length } : {}),
    },
    skipped: planAnalysis(analysisInput, options.analyzers ?? ALL_ANALYZERS).skipped,
  };
}
