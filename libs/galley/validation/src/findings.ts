// Collects what semantic checks find, with field paths, before the caller
// adds file, document and resource identity.
import type { IssueCode } from './errors';
import type { Severity } from './issue';

export interface Finding {
  code: IssueCode;
  severity: Severity;
  path: string;
  reason: string;
}

export class Findings {
  readonly items: Finding[] = [];

  error(path: string, code: IssueCode, reason: string): void {
    this.items.push({ code, severity: 'error', path, reason });
  }

  warn(path: string, code: IssueCode, reason: string): void {
    this.items.push({ code, severity: 'warning', path, reason });
  }

  /** Reports `reason` as an error when it is a string (checks return undefined when fine). */
  check(path: string, code: IssueCode, reason: string | undefined): void {
    if (reason !== undefined) this.error(path, code, reason);
  }

  get hasErrors(): boolean {
    return this.items.some((f) => f.severity === 'error');
  }
}
