// Protocol selection without sniffing: Istio's port naming ("http", "http-web",
// "grpc", "tcp-db", "mysql"...) or a declared protocol; and the server-first
// ports where the client waits for the server to speak, so sniffing would
// only add a delay (they are always opaque TCP).
export interface DeclaredPort {
  name: string;
  port: number;
  protocol?: string;
}

/** MySQL, PostgreSQL, Redis, SMTP, SSH, FTP, POP3, IMAP, MongoDB, ... */
export const SERVER_FIRST_PORTS: readonly number[] = [21, 22, 25, 110, 143, 587, 3306, 5432, 6379, 9042, 11211, 27017];

const PREFIX: Record<string, 'http' | 'http2' | 'tcp'> = {
  http: 'http',
  http2: 'http2',
  grpc: 'http2',
  'grpc-web': 'http',
  h2c: 'http2',
  tcp: 'tcp',
  tls: 'tcp',
  https: 'tcp',
  mongo: 'tcp',
  mysql: 'tcp',
  redis: 'tcp',
  postgres: 'tcp',
};

export function protocolFromPort(p: DeclaredPort): 'http' | 'http2' | 'tcp' | undefined {
  const declared = p.protocol?.toLowerCase();
  if (declared && PREFIX[declared]) return PREFIX[declared];
  const name = p.name.toLowerCase();
  if (PREFIX[name]) return PREFIX[name];
  if (name.startsWith('grpc-web')) return 'http';
  const dash = name.indexOf('-');
  if (dash > 0 && PREFIX[name.slice(0, dash)]) return PREFIX[name.slice(0, dash)];
  return undefined;
}
