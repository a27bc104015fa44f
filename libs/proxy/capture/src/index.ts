export * from './iptables-rules';
export * from './apply-rules';
export * from './original-dst';
