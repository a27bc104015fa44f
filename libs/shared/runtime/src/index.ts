export * from './common-settings';
export * from './service';
export * from './idle-gc';
