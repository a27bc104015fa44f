export * from './common-settings';
export * from './service';
