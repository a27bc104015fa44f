import { describe, expect, it } from 'vitest';
import { parseWorkloadsFile, WorkloadsFileError } from './workloads-file';
import { serviceMap } from './local-mesh';

const problems = (text: string): string[] => {
  try {
    parseWorkloadsFile('w.yaml', text);
  } catch (err) {
    if (err instanceof WorkloadsFileError) return err.problems;
    throw err;
  }
  throw new Error('expected the file to be refused');
};

describe('workloads file', () => {
  it('accepts a list or a workloads: mapping, with defaults', () => {
    const text = `
- name: echo-v1
  service: echo
  labels: { app: echo, version: v1 }
  replicas: 2
  ports: [{ name: http, port: 8080, protocol: HTTP }, { name: grpc, port: 7070, protocol: GRPC }]
  app: echo
`;
    const [w] = parseWorkloadsFile('w.yaml', text);
    expect(w).toMatchObject({ name: 'echo-v1', namespace: 'default', serviceAccount: 'default', replicas: 2, app: 'echo' });
    expect(w.ports).toEqual([
      { name: 'http', port: 8080, protocol: 'HTTP' },
      { name: 'grpc', port: 7070, protocol: 'GRPC' },
    ]);
    expect(parseWorkloadsFile('w.yaml', `workloads:\n${text.replace(/^/gm, '  ')}`)).toHaveLength(1);
  });

  it('names the entry and the field of every problem, and refuses the whole file', () => {
    const p = problems(`
- name: ok
  service: ok
  ports: [{ name: http, port: 80 }]
  app: echo
- name: Bad_Name
  service: svc
  replicas: 0
  ports: [{ name: http, port: 70000, protocol: UDP }]
  app: nginx
  colour: blue
- name: both
  service: svc
  ports: [{ name: a, port: 1 }, { name: b, port: 1 }]
  app: echo
  command: [sleep, "1"]
- name: ok
  service: ok
  ports: []
`);
    expect(p).toEqual(
      expect.arrayContaining([
        'workloads[1] (Bad_Name).colour: unknown field (known: name, service, namespace, serviceAccount, labels, replicas, ports, app, command, env)',
        `workloads[1] (Bad_Name).name: must be a DNS label (lower-case letters, digits, '-'), got "Bad_Name"`,
        'workloads[1] (Bad_Name).replicas: must be an integer from 1 to 50, got 0',
        'workloads[1] (Bad_Name).ports[0].port: must be an integer from 1 to 65535, got 70000',
        'workloads[1] (Bad_Name).ports[0].protocol: must be one of HTTP, HTTP2, GRPC, TCP, got "UDP"',
        'workloads[1] (Bad_Name).app: unknown app "nginx"; built-in apps: echo, productpage, details, reviews, ratings',
        'workloads[2] (both).ports[1].port: port 1 is listed twice',
        'workloads[2] (both).command: set app or command, not both',
        'workloads[3] (ok).name: duplicate workload name, also used by workloads[0]',
        'workloads[3] (ok).ports: at least one port is required',
        'workloads[3] (ok).app: set either app (echo, productpage, details, reviews, ratings) or command',
      ]),
    );
  });

  it('refuses files that are not a list, broken YAML and alias bombs', () => {
    expect(problems('name: x')).toEqual(['the file must be a list of workloads (or an object with a `workloads:` list)']);
    expect(problems('- name: [unclosed')[0]).toMatch(/^YAML: /);
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...Array.from({ length: 9 }, (_, i) => `${'b' + i}: &${'b' + i} [${Array(9).fill(i === 0 ? '*a' : '*b' + (i - 1)).join(',')}]`), 'workloads: []'].join('\n');
    expect(problems(bomb)[0]).toMatch(/YAML: .*alias|excessive alias/i);
  });
});

describe('serviceMap', () => {
  it('maps short, namespaced and FQDN names to every instance address', () => {
    const id = (instance: string, address: string) => ({ name: 'r', service: 'reviews', namespace: 'default', serviceAccount: 'sa', instance, version: 'v1', labels: {}, address, ports: [{ name: 'http', port: 9080, protocol: 'HTTP' as const }] });
    const m = serviceMap([id('r-0', '127.0.10.1'), id('r-1', '127.0.10.2')]);
    expect(m['reviews']).toEqual(['127.0.10.1:9080', '127.0.10.2:9080']);
    expect(m['reviews.default.svc.cluster.local']).toEqual(m['reviews']);
  });
});
