// A cheap look at a YAML document's nesting before parsing it. The `yaml`
// package builds nodes recursively, so a document like `[[[[...` ten
// thousand deep costs a deep stack and a slow failure; this scan refuses it in
// one pass. It estimates depth from block indentation (a stack of indents),
// compact sequence entries (`- - x`) and flow brackets, skipping quoted
// strings, comments and block scalar bodies. It may over-estimate somewhat,
// so callers compare it with a generous bound and check the exact depth after
// parsing.

const TOKEN_START = new Set(['', '[', '{', ',', ':', '-', '?']);

/** The character at pos if it is an indicator after which a new token starts, else 'x'. */
function indicatorOrText(line: string, pos: number, flow: number): string {
  const ch = line[pos]!;
  if (ch === '[' || ch === '{' || ch === ',') return ch;
  const next = line[pos + 1];
  const spaceAfter = next === undefined || next === ' ' || next === '\t' || next === '\r';
  if (ch === ':' && (spaceAfter || flow > 0)) return ch;
  if ((ch === '-' || ch === '?') && spaceAfter) return ch;
  return 'x';
}

export function estimateNestingDepth(text: string, stopAbove: number): number {
  let max = 0;
  let flow = 0;
  let quote: '"' | "'" | undefined;
  const indents: number[] = [];
  let blockScalarIndent = -1; // lines indented deeper than this belong to a block scalar

  const lines = text.split('\n');
  for (const line of lines) {
    let pos = 0;
    while (pos < line.length && line[pos] === ' ') pos++;
    const blank = pos >= line.length || line[pos] === '#' || line[pos] === '\r';
    if (blockScalarIndent >= 0) {
      if (blank || pos > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if (blank && quote === undefined) continue;

    let depth = flow;
    if (quote === undefined && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= pos) indents.pop();
      indents.push(pos);
      depth = indents.length;
      // Compact nested sequences: `- - - x` on one line.
      while (line.startsWith('- ', pos) || (line[pos] === '-' && pos === line.length - 1)) {
        depth++;
        pos += 2;
        while (line[pos] === ' ') pos++;
      }
    }
    const base = depth - flow;

    let previous = ''; // last significant character, for "token start" decisions
    for (; pos < line.length; pos++) {
      const ch = line[pos]!;
      if (quote === '"') {
        if (ch === '\\') pos++;
        else if (ch === '"') quote = undefined;
        continue;
      }
      if (quote === "'") {
        if (ch === "'" && line[pos + 1] === "'") pos++;
        else if (ch === "'") quote = undefined;
        continue;
      }
      if (ch === ' ' || ch === '\t' || ch === '\r') continue;
      if (ch === '#' && (pos === 0 || line[pos - 1] === ' ' || line[pos - 1] === '\t')) break;
      const atTokenStart = TOKEN_START.has(previous);
      if ((ch === '"' || ch === "'") && atTokenStart) quote = ch;
      else if ((ch === '[' || ch === '{') && (flow > 0 || atTokenStart)) {
        flow++;
        max = Math.max(max, base + flow);
        if (max > stopAbove) return max;
      } else if ((ch === ']' || ch === '}') && flow > 0) flow--;
      else if ((ch === '|' || ch === '>') && flow === 0 && atTokenStart) {
        blockScalarIndent = indents[indents.length - 1] ?? 0;
        break;
      }
      previous = indicatorOrText(line, pos, flow);
    }
    max = Math.max(max, depth);
    if (max > stopAbove) return max;
  }
  return max;
}

/** Exact nesting depth of a parsed value, without recursion. */
export function valueDepth(value: unknown, stopAbove: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) {
      max = d;
      if (max > stopAbove) return max;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return max;
}
