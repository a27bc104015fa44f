// Istio's samples (shared/istio-samples, read in place), every file analysed
// together offline, in path order, as `kubectl apply -f` of the directory
// would leave them: later definitions of the same resource replace earlier
// ones (SXT1001 says so).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../src/analyze-files';
import { formatMessage } from '../src/message';
import { BOOKINFO, INGRESS_GATEWAY, registryOf, SAMPLES_REGISTRY, SHARED } from '../src/spec-helpers';

const DIR = join(SHARED, 'istio-samples');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
    });
}

const files = yamlFiles(DIR).map((f) => ({ file: relative(DIR, f), content: readFileSync(f) }));

const lines = (r: ReturnType<typeof analyzeFiles>) => r.messages.map((m) => `${m.level} ${m.code} ${m.origin?.kind}/${m.origin?.namespace}/${m.origin?.name}${m.path ? ` ${m.path}` : ''}`);

/** Resources that several sample files define; the last file's definition is analysed. */
const REDEFINED = [
  'Info SXT1001 DestinationRule/default/details',
  'Info SXT1001 DestinationRule/default/productpage',
  'Info SXT1001 DestinationRule/default/ratings',
  'Info SXT1001 DestinationRule/default/reviews',
  'Info SXT1001 VirtualService/default/details',
  'Info SXT1001 VirtualService/default/ratings',
  'Info SXT1001 VirtualService/default/reviews',
  'Info SXT1001 VirtualService/default/tcp-echo',
];

describe('istio-samples analysed together', () => {
  it('reads every sample file and validates every document', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    const r = analyzeFiles({ files, registry: SAMPLES_REGISTRY }, { namespace: 'default' });
    expect(r.messages.filter((m) => m.code === 'IST0106' || m.code === 'IST0133')).toEqual([]);
    expect(r.sources.fileResources).toBe(46);
  });

  it('with the sample applications’ registry: no errors but the one the file order itself creates', () => {
    const r = analyzeFiles({ files, registry: SAMPLES_REGISTRY }, { namespace: 'default' });
    expect(lines(r)).toEqual([
      // fault-injection-details-v1.yaml (read after destination-rule-all*.yaml) redefines DestinationRule
      // details with subset v1 only, and virtual-service-details-v2.yaml (read last) routes to v2.
      'Error IST0101 VirtualService/default/details spec.http[0].route[0].destination.subset',
      // www.googleapis.com is outside the mesh: TLS origination without a CA to verify it.
      'Warning IST0129 DestinationRule/default/originate-tls-for-googleapis spec.trafficPolicy.portLevelSettings[0].tls.mode',
      // The gateway route to productpage skips the v1 subset routing of VirtualService productpage.
      'Warning IST0140 VirtualService/default/bookinfo spec.http[0].route[0].destination.host',
      ...REDEFINED,
    ]);
    expect(r.messages.map(formatMessage)[0]).toBe(
      'Error [IST0101] (VirtualService default/details bookinfo/networking/virtual-service-details-v2.yaml#0) Referenced host+subset in destinationrule not found: "details+v2" (DestinationRule default/details applies to it and defines subsets v1) at spec.http[0].route[0].destination.subset',
    );
  });

  it('in every namespace: the cert-manager solver service is outside the mesh', () => {
    const r = analyzeFiles({ files, registry: SAMPLES_REGISTRY });
    const extra = lines(r).filter((l) => !lines(analyzeFiles({ files, registry: SAMPLES_REGISTRY }, { namespace: 'default' })).includes(l));
    expect(extra).toEqual(['Error IST0101 VirtualService/istio-system/cert-manager spec.http[0].route[0].destination.host']);
  });

  it('with a registry of Bookinfo alone: exactly the references to the other samples’ applications are missing', () => {
    const r = analyzeFiles({ files, registry: registryOf(BOOKINFO, [INGRESS_GATEWAY]) }, { namespace: 'default' });
    const withAll = lines(analyzeFiles({ files, registry: SAMPLES_REGISTRY }, { namespace: 'default' }));
    expect(lines(r).filter((l) => !withAll.includes(l))).toEqual([
      'Error IST0101 VirtualService/default/helloworld spec.http[0].route[0].destination.host',
      'Error IST0101 VirtualService/default/httpbin spec.http[0].route[0].destination.host',
      'Error IST0101 VirtualService/default/tcp-echo spec.tcp[0].route[0].destination.host',
      'Warning IST0174 DestinationRule/default/tcp-echo-destination spec.host',
    ]);
  });
});
