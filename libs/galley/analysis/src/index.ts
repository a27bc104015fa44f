// @sextant/analysis: cross-resource analysis of Istio configuration, like
// `istioctl analyze` (Istio's pkg/config/analysis). Pure: no I/O, no
// logging, no environment.
export { analyze, ALL_ANALYZERS, findAnalyzer } from './all-analyzers';
export {
  runAnalyzers,
  planAnalysis,
  REGISTRY_INPUTS,
  type Analyzer,
  type AnalyzerInput,
  type AnalyzeOptions,
  type AnalysisPlan,
  type RegistryInput as RegistryInputName,
} from './analyzer';
export { AnalysisContext, SUPPRESS_ANNOTATION, type DuplicateDefinition } from './context';
export type { AnalysisInput, LocatedResource, PortInfo, ServiceInfo, WorkloadInfo } from './input';
export { createMessage, describeOrigin, formatMessage, sortMessages, countMessages, type Message, type MessageOrigin, type MessageCounts } from './message';
export { MESSAGE_TYPES, ALL_MESSAGE_CODES, Level, LEVEL_ORDER, messageType, isMessageCode, type MessageCode, type MessageType } from './messages';
export { analyzeFiles, DEFAULT_INGRESS_GATEWAY, type FileAnalysisInput, type FileAnalysisOptions, type FileAnalysisResult } from './analyze-files';
export {
  registryFromWorkloadRecords,
  registryFromManifests,
  mergeRegistries,
  protocolOfPort,
  type RegistryInput,
  type WorkloadRecordLike,
} from './registry-input';
export { validationMessage, validationMessages, SCHEMA_ANALYZER } from './validation-messages';
export { formatTextReport, summaryLines, scopeLabel } from './report-format';
export { selects, selectorString } from './registry-index';
