// Splits a YAML stream into its documents without parsing them, so that
// each document's size can be checked before the parser sees it. YAML forbids
// `---` and `...` at the start of a line inside any content, so a line scan
// finds every document boundary.

export interface DocumentChunk {
  /** The document's text, its `---` line included. */
  text: string;
  /** 1-based line of the chunk's first line in the stream. */
  line: number;
}

const START = /^---(?:[ \t\r]|$)/;
const END = /^\.\.\.(?:[ \t\r]|$)/;
const DIRECTIVE = /^%/;

/** Only blank lines, comments, directives and document markers: no document. */
function isBlank(lines: readonly string[]): boolean {
  return lines.every((l) => {
    const t = l.replace(/^---|^\.\.\./, '').trim();
    return t === '' || t.startsWith('#') || DIRECTIVE.test(l);
  });
}

function hasDirective(lines: readonly string[]): boolean {
  return lines.some((l) => DIRECTIVE.test(l));
}

/** Non-blank documents in order. Directives before a `---` travel with the document they precede. */
export function splitDocuments(text: string): DocumentChunk[] {
  const lines = text.split(/\r?\n/);
  const chunks: DocumentChunk[] = [];
  let current: string[] = [];
  let currentLine = 1;
  let carried: { lines: string[]; line: number } | undefined;

  const flush = (nextLine: number) => {
    if (current.length > 0) {
      if (isBlank(current)) {
        if (hasDirective(current)) carried = { lines: current, line: currentLine };
      } else if (carried) {
        chunks.push({ text: [...carried.lines, ...current].join('\n'), line: carried.line });
        carried = undefined;
      } else {
        chunks.push({ text: current.join('\n'), line: currentLine });
      }
    }
    current = [];
    currentLine = nextLine;
  };

  lines.forEach((line, i) => {
    if (START.test(line)) {
      // A `---` directly after directives belongs to the same document.
      if (!(current.length > 0 && current.every((l) => DIRECTIVE.test(l) || l.trim() === ''))) flush(i + 1);
      current.push(line);
    } else if (END.test(line)) {
      current.push(line);
      flush(i + 2);
    } else {
      current.push(line);
    }
  });
  flush(lines.length + 1);
  return chunks;
}
