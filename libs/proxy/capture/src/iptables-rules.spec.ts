import { describe, expect, it } from 'vitest';
import { buildCaptureRules, CaptureOptionsError } from './iptables-rules';

describe('buildCaptureRules', () => {
  it('redirects inbound to 15006 and outbound to 15001, exempting the proxy uid/gid and excluded ports', () => {
    const rules = buildCaptureRules({ excludeOutboundCidrs: ['169.254.169.254/32'], inboundPorts: [9080, 8080] });
    const lines = rules.trim().split('\n');
    expect(lines[0]).toBe('*nat');
    expect(lines.at(-1)).toBe('COMMIT');
    expect(lines).toContain('-A SEXTANT_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006');
    expect(lines).toContain('-A SEXTANT_REDIRECT -p tcp -j REDIRECT --to-ports 15001');
    expect(lines).toContain('-A SEXTANT_INBOUND -p tcp --dport 15021 -j RETURN');
    expect(lines).toContain('-A SEXTANT_INBOUND -p tcp --dport 9080 -j SEXTANT_IN_REDIRECT');
    expect(lines).toContain('-A SEXTANT_OUTPUT -m owner --uid-owner 1337 -j RETURN');
    expect(lines).toContain('-A SEXTANT_OUTPUT -d 169.254.169.254/32 -j RETURN');
    // Exemptions come before the catch-all redirect.
    expect(lines.indexOf('-A SEXTANT_OUTPUT -m owner --uid-owner 1337 -j RETURN')).toBeLessThan(lines.indexOf('-A SEXTANT_OUTPUT -j SEXTANT_REDIRECT'));
  });

  it('refuses bad options with the option name', () => {
    expect(() => buildCaptureRules({ inboundPort: 70000 })).toThrow(new CaptureOptionsError('inboundPort: 70000 is not a port (1-65535)'));
    expect(() => buildCaptureRules({ excludeOutboundCidrs: ['10.0.0.0'] })).toThrow(/excludeOutboundCidrs: "10.0.0.0" is not an IPv4 CIDR/);
  });
});
