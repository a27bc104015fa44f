export * from './server';
export * from './status';
