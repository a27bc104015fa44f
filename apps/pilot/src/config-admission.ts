// Pilot does not trust the config bucket blindly: Galley validates before it
// writes, but anything with NATS credentials can write there. Each resource
// is validated again (schema and Istio semantics, the same code Galley runs);
// an invalid one never reaches translation.
import { isIstioKind, normalizeResource, type IstioResource, type Resource } from '@sextant/config-model';
import { formatIssues, validateResource } from '@sextant/validation';
import { errorMessage } from '@sextant/util';
import type { Admit } from './config-watcher';

/** Full validation (default) or only the structural minimum translation needs. */
export function configAdmission(validate: boolean): Admit {
  return (resource: Resource) => {
    if (!resource || typeof resource !== 'object' || !isIstioKind(resource.kind)) {
      return { ok: false, reason: `kind ${JSON.stringify((resource as { kind?: unknown })?.kind)} is not an Istio kind Pilot uses` };
    }
    if (!validate) {
      try {
        return { ok: true, resource: normalizeResource(resource as IstioResource) };
      } catch (err) {
        return { ok: false, reason: errorMessage(err) };
      }
    }
    const ref = `${resource.kind}/${resource.metadata?.namespace ?? ''}/${resource.metadata?.name ?? ''}`;
    const { status: _status, ...withoutStatus } = resource;
    const result = validateResource(withoutStatus, { file: `sextant_config:${ref}` });
    if (!result.valid) return { ok: false, reason: formatIssues(result.errors) };
    return { ok: true, resource: result.resource };
  };
}
