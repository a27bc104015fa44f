import { describe, expect, it } from 'vitest';
import { applyCaptureRules, CaptureApplyError, removeCaptureRules, runCommand, type Runner } from './apply-rules';
import { buildCaptureRules, CaptureOptionsError, parseCidrList, parsePortList } from './iptables-rules';

describe('buildCaptureRules', () => {
  it('redirects inbound to 15006 and outbound to 15001 in Istio\'s chains, exempting the proxy uid/gid and excluded ports', () => {
    const rules = buildCaptureRules({ excludeOutboundCidrs: ['169.254.169.254/32'], inboundPorts: [9080, 8080] });
    const lines = rules.trim().split('\n');
    expect(lines[0]).toBe('*nat');
    expect(lines.at(-1)).toBe('COMMIT');
    expect(lines).toContain('-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006');
    expect(lines).toContain('-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001');
    expect(lines).toContain('-A PREROUTING -p tcp -j ISTIO_INBOUND');
    expect(lines).toContain('-A OUTPUT -p tcp -j ISTIO_OUTPUT');
    expect(lines).toContain('-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN');
    expect(lines).toContain('-A ISTIO_INBOUND -p tcp --dport 9080 -j ISTIO_IN_REDIRECT');
    expect(lines).not.toContain('-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT');
    expect(lines).toContain('-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN');
    expect(lines).toContain('-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN');
    expect(lines).toContain('-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN');
    expect(lines).toContain('-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN');
    expect(lines).toContain('-A ISTIO_OUTPUT -d 169.254.169.254/32 -j RETURN');
    // Exemptions come before the catch-all redirect.
    const last = lines.indexOf('-A ISTIO_OUTPUT -j ISTIO_REDIRECT');
    expect(last).toBe(lines.length - 2);
    expect(lines.indexOf('-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN')).toBeLessThan(last);
  });

  it('exempts only the owner it is given', () => {
    const lines = buildCaptureRules({ proxyUid: undefined, proxyGid: 2001, includeOutboundCidrs: ['10.0.0.0/8'] }).split('\n');
    expect(lines).toContain('-A ISTIO_OUTPUT -m owner --gid-owner 2001 -j RETURN');
    expect(lines.some((l) => l.includes('--uid-owner'))).toBe(false);
    expect(lines).toContain('-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT');
  });

  it('refuses bad options with the option name', () => {
    expect(() => buildCaptureRules({ inboundPort: 70000 })).toThrow(new CaptureOptionsError('inboundPort: 70000 is not a port (1-65535)'));
    expect(() => buildCaptureRules({ excludeOutboundCidrs: ['10.0.0.0'] })).toThrow(/excludeOutboundCidrs: "10.0.0.0" is not an IPv4 CIDR/);
    expect(() => buildCaptureRules({ proxyUid: undefined, proxyGid: undefined })).toThrow(/proxyUid\/proxyGid: give at least one/);
    expect(() => buildCaptureRules({ proxyUid: -1 })).toThrow(/proxyUid: -1 is not a uid/);
  });
});

describe('port and CIDR lists', () => {
  it('parses lists and names the flag on bad input', () => {
    expect(parsePortList('9080, 8080', '--inbound-ports', true)).toEqual([9080, 8080]);
    expect(parsePortList('*', '--inbound-ports', true)).toBe('*');
    expect(parsePortList('', '--exclude-outbound-ports')).toEqual([]);
    expect(() => parsePortList('80,http', '--inbound-ports', true)).toThrow('--inbound-ports: "http" is not a port (1-65535) in "80,http"');
    expect(() => parsePortList('0', '--exclude-inbound-ports')).toThrow(/--exclude-inbound-ports: "0" is not a port/);
    expect(() => parsePortList('*', '--exclude-inbound-ports')).toThrow(/"\*" is not allowed here/);
    expect(parseCidrList('10.0.0.0/8,192.168.0.0/16', '--exclude-outbound-cidrs')).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(() => parseCidrList('10.0.0.0/33', '--exclude-outbound-cidrs')).toThrow(/--exclude-outbound-cidrs: "10.0.0.0\/33" is not an IPv4 CIDR/);
  });
});

describe('applying', () => {
  function recorder(fail: Record<string, string> = {}): { calls: string[]; run: Runner } {
    const calls: string[] = [];
    const run: Runner = (cmd, args) => {
      const line = [cmd, ...args].join(' ');
      calls.push(line);
      const key = Object.keys(fail).find((k) => line.startsWith(k));
      // `iptables -D` answers 1 once the rule is gone, as the real one does.
      if (key) return { code: 1, out: fail[key]! };
      return { code: args.includes('-D') ? 1 : 0, out: '' };
    };
    return { calls, run };
  }

  it('removes old rules before restoring the new ones, in one iptables-restore', () => {
    const { calls, run } = recorder();
    applyCaptureRules({ proxyUid: 1337 }, run);
    expect(calls[0]).toBe('iptables -t nat -S OUTPUT');
    expect(calls).toContain('iptables -t nat -D PREROUTING -p tcp -j ISTIO_INBOUND');
    expect(calls).toContain('iptables -t nat -X ISTIO_REDIRECT');
    expect(calls.at(-1)).toBe('iptables-restore --noflush');
    expect(calls.filter((c) => c.startsWith('iptables-restore'))).toHaveLength(1);
  });

  it('says why when iptables refuses', () => {
    const { run } = recorder({ 'iptables -t nat -S': 'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)' });
    expect(() => applyCaptureRules({ proxyUid: 1337 }, run)).toThrow(CaptureApplyError);
    expect(() => applyCaptureRules({ proxyUid: 1337 }, run)).toThrow(/root|CAP_NET_ADMIN/);
    const restore = recorder({ 'iptables-restore': 'iptables-restore: line 3 failed' });
    expect(() => applyCaptureRules({ proxyUid: 1337 }, restore.run)).toThrow('iptables-restore failed: iptables-restore: line 3 failed');
  });

  it('names the missing tool', () => {
    expect(() => runCommand('sextant-no-such-iptables', ['-S'])).toThrow('sextant-no-such-iptables is not installed (apt-get install -y iptables)');
  });

  it('cleanup deletes repeated jumps until none is left', () => {
    let left = 3;
    const calls: string[] = [];
    removeCaptureRules((cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      if (args.includes('PREROUTING')) return { code: left-- > 0 ? 0 : 1, out: '' };
      return { code: args.includes('-D') ? 1 : 0, out: '' };
    });
    expect(calls.filter((c) => c.includes('-D PREROUTING'))).toHaveLength(4);
  });
});
