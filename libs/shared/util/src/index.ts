export * from './errors';
export * from './logging';
export * from './settings';
export * from './keys';
export * from './async';
export * from './net';
export * from './nats-server';
