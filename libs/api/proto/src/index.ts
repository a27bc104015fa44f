export * from './proto-paths';
export * from './load';
export * from './type-urls';
export type { ConfigServiceClient, ConfigServiceHandlers } from './generated/sextant/galley/v1/ConfigService';
export type { IstioCertificateServiceClient, IstioCertificateServiceHandlers } from './generated/istio/v1/auth/IstioCertificateService';
export type * as GalleyV1 from './generated/galley-v1';
export type * as CaV1 from './generated/ca-v1';
