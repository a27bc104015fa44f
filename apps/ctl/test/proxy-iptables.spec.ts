// `sextant proxy iptables` as users run it (the built CLI): what --dry-run
// prints, and the errors for bad input (exit code 2, naming the flag).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@sextant/testing';
import { captureOptionsFromFlags } from '../src/commands/proxy-iptables';
import { REPO } from './harness';

const ctl = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(REPO, 'dist/apps/ctl/main.js'), 'proxy', 'iptables', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const FLAG_DEFAULTS = { inboundCapturePort: '15006', outboundCapturePort: '15001', inboundPorts: '*', excludeInboundPorts: '', excludeOutboundPorts: '', excludeOutboundCidrs: '', includeOutboundCidrs: '*' };

beforeAll(() => buildApp('ctl'), 120_000);

describe('sextant proxy iptables', () => {
  it('--dry-run prints Istio-init-like rules without touching the nat table', () => {
    const r = ctl(['--proxy-gid', '2001', '--inbound-ports', '8080,9090', '--exclude-outbound-cidrs', '169.254.169.254/32', '--dry-run']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('*nat');
    expect(lines).toContain('-A ISTIO_INBOUND -p tcp --dport 8080 -j ISTIO_IN_REDIRECT');
    expect(lines).toContain('-A ISTIO_INBOUND -p tcp --dport 9090 -j ISTIO_IN_REDIRECT');
    expect(lines).toContain('-A ISTIO_OUTPUT -m owner --gid-owner 2001 -j RETURN');
    expect(lines).toContain('-A ISTIO_OUTPUT -d 169.254.169.254/32 -j RETURN');
    expect(r.out).not.toContain('--uid-owner');
    expect(lines.at(-1)).toBe('COMMIT');
  });

  it('refuses bad input with the flag and the reason', () => {
    expect(ctl(['--dry-run'])).toMatchObject({ code: 2, err: expect.stringContaining('--proxy-uid or --proxy-gid is required') });
    expect(ctl(['--proxy-uid', '1337', '--inbound-ports', '80,http', '--dry-run'])).toMatchObject({ code: 2, err: expect.stringContaining('--inbound-ports: "http" is not a port (1-65535) in "80,http"') });
    expect(ctl(['--proxy-uid', 'envoy', '--dry-run'])).toMatchObject({ code: 2, err: expect.stringContaining('--proxy-uid: "envoy" is not a numeric id') });
    expect(ctl(['--proxy-uid', '1337', '--outbound-capture-port', '15001,15002', '--dry-run'])).toMatchObject({ code: 2, err: expect.stringContaining('--outbound-capture-port: "15001,15002" is not one port') });
    expect(ctl(['--proxy-uid', '1337', '--exclude-outbound-cidrs', '10.0.0.0', '--dry-run'])).toMatchObject({ code: 2, err: expect.stringContaining('--exclude-outbound-cidrs: "10.0.0.0" is not an IPv4 CIDR') });
  });

  it('always keeps the proxy\'s own ports out of inbound capture', () => {
    const o = captureOptionsFromFlags({ ...FLAG_DEFAULTS, proxyUid: '1337', inboundCapturePort: '16006', excludeInboundPorts: '9901' });
    expect(o.excludeInboundPorts).toEqual(expect.arrayContaining([15000, 15021, 15090, 16006, 15001, 9901]));
    expect(o.proxyGid).toBeUndefined();
  });
});
