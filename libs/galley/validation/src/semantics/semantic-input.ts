import type { ObjectMeta } from '@sextant/config-model';

/** What a kind's semantic validator sees: a spec that passed the structural schema. */
export interface SemanticInput<Spec> {
  spec: Spec;
  /** The resource's namespace (defaulted when the document names none). */
  namespace: string;
  name: string;
  metadata: ObjectMeta;
}
