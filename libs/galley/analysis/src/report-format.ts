// Text rendering of an analysis: one line per message, then a summary that
// says what was analysed and what could not be.
import type { FileAnalysisResult } from './analyze-files';
import { formatMessage } from './message';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `namespace: default`, or `all namespaces`. */
export const scopeLabel = (namespace: string | undefined): string => (namespace === undefined ? 'all namespaces' : `namespace: ${namespace}`);

export function summaryLines(result: FileAnalysisResult, namespace: string | undefined): string[] {
  const { counts, sources } = result;
  const lines: string[] = [];
  if (result.messages.length === 0) lines.push(`No validation issues found when analyzing ${scopeLabel(namespace)}.`);
  else {
    const what = `${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}, ${plural(counts.info, 'info message')}`;
    lines.push(`${counts.errors ? 'Error' : counts.warnings ? 'Warning' : 'Info'}: analyzers found ${what} when analyzing ${scopeLabel(namespace)}.`);
  }
  const from: string[] = [];
  if (sources.files) from.push(`${plural(sources.fileResources, 'resource')} from ${plural(sources.files, 'file')}`);
  if (sources.liveResources || sources.replacedLive) {
    from.push(`${plural(sources.liveResources, 'resource')} stored in the mesh${sources.replacedLive ? ` (${sources.replacedLive} replaced by the files)` : ''}`);
  }
  const known = (n: number | undefined, what: string) => (n === undefined ? `${what}s unknown` : plural(n, what));
  lines.push(
    `Analyzed ${from.join(' and ') || 'no resources'}; registry: ${known(sources.services, 'service')}, ${known(sources.workloads, 'workload')}, ${known(sources.secrets, 'secret')}${sources.registryObjects ? ` (${plural(sources.registryObjects, 'Kubernetes object')} from the files)` : ''}.`,
  );
  if (result.skipped.length) {
    const missing = [...new Set(result.skipped.flatMap((s) => s.missing))];
    lines.push(`Skipped ${plural(result.skipped.length, 'analyzer')} that need${result.skipped.length === 1 ? 's' : ''} unknown inputs (${missing.join(', ')}): ${result.skipped.map((s) => s.analyzer).join(', ')}.`);
  }
  return lines;
}

export function formatTextReport(result: FileAnalysisResult, namespace: string | undefined): string {
  return [...result.messages.map(formatMessage), ...summaryLines(result, namespace)].join('\n');
}
