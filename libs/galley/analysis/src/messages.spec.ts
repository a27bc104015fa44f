import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_ANALYZERS } from './all-analyzers';
import { ALL_MESSAGE_CODES, isMessageCode, MESSAGE_TYPES } from './messages';

const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
/** Codes that come from outside the analyzers: the runner (IST0001) and the validation mapping. */
const NOT_FROM_ANALYZERS = ['IST0001', 'IST0002', 'IST0106', 'IST0133'];

describe('the message catalogue', () => {
  it.each(ALL_MESSAGE_CODES)('%s is documented in README.md with its name and level', (code) => {
    const t = MESSAGE_TYPES[code];
    expect(readme).toContain(`| \`${code}\` | ${t.name} | ${t.level} |`);
  });

  it('uses Istio’s range for Istio’s codes and SXT1xxx for ours, each with a description', () => {
    for (const [code, t] of Object.entries(MESSAGE_TYPES)) {
      expect(code).toMatch(/^(IST0\d{3}|SXT1\d{3})$/);
      expect(t.code).toBe(code);
      expect(t.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(t.description.length).toBeGreaterThan(20);
    }
  });

  it('keeps Istio’s names and levels for the codes it reuses', () => {
    const istio: Record<string, [string, string]> = {
      IST0101: ['ReferencedResourceNotFound', 'Error'],
      IST0104: ['GatewayPortNotOnWorkload', 'Warning'],
      IST0106: ['SchemaValidationError', 'Error'],
      IST0109: ['ConflictingMeshGatewayVirtualServiceHosts', 'Error'],
      IST0113: ['MTLSPolicyConflict', 'Error'],
      IST0127: ['NoMatchingWorkloadsFound', 'Warning'],
      IST0130: ['VirtualServiceUnreachableRule', 'Warning'],
      IST0131: ['VirtualServiceIneffectiveMatch', 'Info'],
      IST0132: ['VirtualServiceHostNotFoundInGateway', 'Warning'],
      IST0134: ['ServiceEntryAddressesRequired', 'Warning'],
      IST0145: ['ConflictingGateways', 'Error'],
      IST0173: ['DestinationRuleSubsetNotSelectPods', 'Error'],
      IST0174: ['UnknownDestinationRuleHost', 'Warning'],
    };
    for (const [code, [name, level]] of Object.entries(istio)) expect(MESSAGE_TYPES[code as keyof typeof MESSAGE_TYPES]).toMatchObject({ name, level });
  });

  it('has every code reported by someone, and every analyzer’s codes catalogued', () => {
    const declared = new Set(ALL_ANALYZERS.flatMap((a) => a.codes));
    for (const code of declared) expect(isMessageCode(code)).toBe(true);
    for (const code of ALL_MESSAGE_CODES) expect(declared.has(code) || NOT_FROM_ANALYZERS.includes(code)).toBe(true);
  });
});

describe('the analyzers', () => {
  it('have unique names, a description and declared inputs, and are documented', () => {
    const names = ALL_ANALYZERS.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of ALL_ANALYZERS) {
      expect(a.name).toMatch(/^[a-z]+\.[A-Z][A-Za-z0-9]+Analyzer$/);
      expect(a.description.length).toBeGreaterThan(20);
      expect(a.codes.length).toBeGreaterThan(0);
      expect(readme).toContain(`| \`${a.name}\` |`);
    }
  });
});
