import { describe, expect, it } from 'vitest';
import { padBody } from './behaviour';
import { parseEchoOptions } from './options';

describe('parseEchoOptions', () => {
  it('reads the workload env', () => {
    const o = parseEchoOptions([], {
      SEXTANT_SERVICE: 'echo',
      SEXTANT_VERSION: 'v2',
      SEXTANT_INSTANCE: 'echo-v2-1',
      SEXTANT_ADDRESS: '127.0.1.9',
      SEXTANT_PORTS: JSON.stringify([{ name: 'http', port: 8080, protocol: 'HTTP' }]),
    });
    expect(o.identity).toMatchObject({ service: 'echo', version: 'v2', instance: 'echo-v2-1', address: '127.0.1.9' });
    expect(o.identity.ports).toEqual([{ name: 'http', port: 8080, protocol: 'HTTP' }]);
    expect(o.logLevel).toBe('info');
  });

  it('defaults to echo on HTTP 8080 and gRPC 7070 when nothing is given', () => {
    const o = parseEchoOptions([], {});
    expect(o.identity.service).toBe('echo');
    expect(o.identity.ports.map((p) => [p.protocol, p.port])).toEqual([
      ['HTTP', 8080],
      ['GRPC', 7070],
    ]);
  });

  it('lets repeated port flags replace the env ports', () => {
    const o = parseEchoOptions(['--http', '80', '--http', '81', '--http2', '82', '--grpc', '70', '--tcp', '90'], {
      SEXTANT_PORTS: JSON.stringify([{ name: 'x', port: 1, protocol: 'TCP' }]),
    });
    expect(o.identity.ports.map((p) => `${p.protocol}:${p.port}`)).toEqual(['HTTP:80', 'HTTP:81', 'HTTP2:82', 'GRPC:70', 'TCP:90']);
  });

  it('rejects bad ports, unknown protocols and unknown flags', () => {
    expect(() => parseEchoOptions(['--http', 'eighty'], {})).toThrow(/--http "eighty"/);
    expect(() => parseEchoOptions([], { SEXTANT_PORTS: '[{"name":"u","port":1,"protocol":"UDP"}]' })).toThrow(/unknown protocol "UDP"/);
    expect(() => parseEchoOptions(['--nope'], {})).toThrow(/nope/);
  });
});

describe('padBody', () => {
  it('pads JSON with spaces or falls back to filler, always exactly the size asked', () => {
    expect(padBody('{"a":1}', 10)).toEqual({ body: Buffer.from('{"a":1}   '), contentType: 'application/json' });
    expect(padBody('{"a":1}', 3).body.toString()).toBe('...');
  });
});
