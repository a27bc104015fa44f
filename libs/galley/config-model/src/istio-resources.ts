// Resource types for each kind: the envelope with the kind's generated spec.
import type { IstioSpecs } from './generated/istio-api';
import type { IstioKind } from './kinds';
import type { Resource } from './resource';

export type SpecOf<K extends IstioKind> = IstioSpecs[K];
export type IstioResourceOf<K extends IstioKind> = Resource<IstioSpecs[K], K>;
/** Any accepted resource; narrow it with `resource.kind`. */
export type IstioResource = { [K in IstioKind]: IstioResourceOf<K> }[IstioKind];

export type VirtualService = IstioResourceOf<'VirtualService'>;
export type DestinationRule = IstioResourceOf<'DestinationRule'>;
export type Gateway = IstioResourceOf<'Gateway'>;
export type ServiceEntry = IstioResourceOf<'ServiceEntry'>;
export type Sidecar = IstioResourceOf<'Sidecar'>;
export type WorkloadEntry = IstioResourceOf<'WorkloadEntry'>;
export type PeerAuthentication = IstioResourceOf<'PeerAuthentication'>;
export type AuthorizationPolicy = IstioResourceOf<'AuthorizationPolicy'>;
export type RequestAuthentication = IstioResourceOf<'RequestAuthentication'>;

// Compile-time check that the generated specs and the list of kinds agree.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const specsCoverKinds: Exact<keyof IstioSpecs, IstioKind> = true;
void specsCoverKinds;
