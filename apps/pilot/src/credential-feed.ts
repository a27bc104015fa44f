// Secrets (gateway credentials) arrive in the same `sextant_config` watch as
// Istio's kinds, batch by batch. This wrapper takes them out of each update
// into the credential registry (before the rest of the same batch reaches
// the config watcher, so a Gateway and its Secret applied together land
// together) and passes the Istio resources on. Each Secret is checked again
// (Galley checked it before storing; anything with NATS credentials can
// write the bucket); an invalid one is left out with its reason and the
// last valid version, if any, stays.
import type { ConfigUpdate, ConfigWatch } from '@sextant/config-store';
import { checkStoredSecret, formatSecretIssues, type TlsCredential } from '@sextant/credentials';
import type { Logger } from '@sextant/util';
import type { CredentialRegistry } from './credential-registry';

export const CONFIG_SOURCE = 'config';

export function divertSecrets(watch: ConfigWatch, registry: CredentialRegistry, logger: Logger): ConfigWatch {
  const log = logger.child({ scope: 'credentials' });
  const take = (update: ConfigUpdate): ConfigUpdate => {
    const secrets = update.changes.filter((c) => c.ref.kind === 'Secret');
    if (secrets.length === 0 && !update.initial) return update;
    const changes = new Map<string, TlsCredential | undefined>();
    const rejected = new Map<string, string>();
    for (const c of secrets) {
      const key = `${c.ref.namespace}/${c.ref.name}`;
      if (c.type === 'DELETED') {
        changes.set(key, undefined);
        continue;
      }
      // Expiry is the owner's call once stored (Galley refused expired certificates at write time).
      const checked = checkStoredSecret(c.resource, { allowExpired: true });
      if (checked.secret) changes.set(key, checked.secret.credential);
      else {
        const reason = formatSecretIssues(checked.errors).replace(/\n/g, '; ');
        rejected.set(key, reason);
        log.warn({ secret: key, revision: c.revision, reason }, 'skipping an invalid Secret from the config bucket');
        if (update.initial) changes.set(key, undefined);
        else if (!registry.lookup(key)) changes.set(key, undefined);
      }
    }
    registry.apply(CONFIG_SOURCE, changes, update.initial, rejected);
    return { ...update, changes: update.changes.filter((c) => c.ref.kind !== 'Secret') };
  };
  return {
    stop: () => watch.stop(),
    get held() {
      return watch.held;
    },
    async *[Symbol.asyncIterator]() {
      for await (const update of watch) yield take(update);
    },
  };
}
