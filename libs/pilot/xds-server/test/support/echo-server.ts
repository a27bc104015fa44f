// A tiny gRPC server (test/protos/echo.proto) whose replies name the server.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface EchoReply {
  message: string;
  server: string;
}
export type EchoClient = grpc.Client & {
  Echo(req: { message: string }, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: EchoReply) => void): void;
};

const protoDir = fileURLToPath(new URL('../protos', import.meta.url));

export function echoService(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync('echo.proto', { includeDirs: [protoDir], keepCase: false, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { sextant: { test: { Echo: grpc.ServiceClientConstructor } } };
  return pkg.sextant.test.Echo;
}

export async function startEchoServer(name: string): Promise<{ port: number; stop(): void }> {
  const server = new grpc.Server();
  server.addService(echoService().service, {
    Echo: (call: grpc.ServerUnaryCall<{ message: string }, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) =>
      cb(null, { message: call.request.message, server: name }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, stop: () => server.forceShutdown() };
}

export function echoClient(target: string): EchoClient {
  const Echo = echoService();
  return new Echo(target, grpc.credentials.createInsecure()) as unknown as EchoClient;
}

export function callEcho(client: EchoClient, message: string, timeoutMs = 5000): Promise<EchoReply> {
  return new Promise((resolve, reject) =>
    client.Echo({ message }, { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => (err ? reject(err) : resolve(res!))),
  );
}
