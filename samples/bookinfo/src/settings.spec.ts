import { describe, expect, it } from 'vitest';
import { reviewsFlavour } from './reviews';
import { loadBookinfoConfig, serviceUrl, servingPort } from './settings';

describe('loadBookinfoConfig', () => {
  it('takes the role from the first argument, else SEXTANT_SERVICE', () => {
    expect(loadBookinfoConfig(['ratings'], {}).role).toBe('ratings');
    expect(loadBookinfoConfig([], { SEXTANT_SERVICE: 'details' }).role).toBe('details');
    expect(() => loadBookinfoConfig([], {})).toThrow(/needs a role.*productpage, details, reviews, ratings; none given/);
    expect(() => loadBookinfoConfig(['library'], {})).toThrow(/"library"/);
  });

  it("defaults to Istio's timeouts, hosts and port 9080", () => {
    const c = loadBookinfoConfig(['productpage'], {});
    expect(c.settings).toMatchObject({ detailsTimeoutMs: 3000, reviewsTimeoutMs: 3000, ratingsTimeoutMs: 3000, reviewsRatingsTimeoutMs: 10_000 });
    expect(serviceUrl(c.settings, 'reviews')).toBe('http://reviews:9080');
    expect(servingPort(c)).toBe(9080);
    expect(c.identity).toMatchObject({ service: 'productpage', version: 'v1', instance: 'productpage-v1-0', address: '127.0.0.1' });
  });

  it('reads the workload env, Istio host variables and flags', () => {
    const c = loadBookinfoConfig(['reviews', '--reviews-ratings-timeout', '250ms'], {
      SEXTANT_VERSION: 'v3',
      SEXTANT_INSTANCE: 'reviews-v3-2',
      SEXTANT_ADDRESS: '127.0.1.7',
      SEXTANT_PORTS: JSON.stringify([{ name: 'http', port: 9081, protocol: 'HTTP' }]),
      RATINGS_HOSTNAME: 'stars',
      RATINGS_SERVICE_PORT: '8080',
      SERVICES_DOMAIN: 'default.svc.cluster.local',
    });
    expect(c.settings.reviewsRatingsTimeoutMs).toBe(250);
    expect(servingPort(c)).toBe(9081);
    expect(serviceUrl(c.settings, 'ratings')).toBe('http://stars.default.svc.cluster.local:8080');
    expect(c.identity).toMatchObject({ instance: 'reviews-v3-2', address: '127.0.1.7', version: 'v3' });
  });

  it('rejects bad values with the variable name', () => {
    expect(() => loadBookinfoConfig(['productpage'], { BOOKINFO_REVIEWS_TIMEOUT: 'soon' })).toThrow(/BOOKINFO_REVIEWS_TIMEOUT/);
    expect(() => loadBookinfoConfig(['productpage', '--bogus', '1'], {})).toThrow(/unknown flag --bogus/);
  });
});

describe('reviewsFlavour', () => {
  const flavour = (version: string, env: Record<string, string> = {}) => reviewsFlavour(loadBookinfoConfig(['reviews'], { SEXTANT_VERSION: version, ...env }));
  it('follows the version, with STAR_COLOR / ENABLE_RATINGS overrides', () => {
    expect(flavour('v1').ratings).toBe(false);
    expect(flavour('v2')).toEqual({ ratings: true, color: 'black' });
    expect(flavour('v3')).toEqual({ ratings: true, color: 'red' });
    expect(flavour('v4', { STAR_COLOR: 'green' })).toEqual({ ratings: true, color: 'green' });
    expect(flavour('v2', { ENABLE_RATINGS: 'false' }).ratings).toBe(false);
  });
});
