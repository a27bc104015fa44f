// Kubernetes ValidatingAdmissionWebhook (AdmissionReview v1, also v1beta1):
// POST /validate over HTTPS with a certificate read from files. Istio
// objects are checked with the same validators as every other entrance and
// refused with the same error lines; anything else is allowed.
import { readFileSync, watchFile, unwatchFile } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, type Logger } from '@sextant/util';
import { formatIssue, formatIssues, MAX_DOCUMENT_BYTES, validateResource } from '@sextant/validation';
import { GalleyApiError } from './errors';
import { isForeignDocument } from './manifest-validation';

export const WEBHOOK_PATHS = ['/validate', '/validate/'];
/** AdmissionReview bodies carry the object (and the old one on UPDATE). */
const MAX_BODY_BYTES = 3 * MAX_DOCUMENT_BYTES;

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Kubernetes shows warnings as they are, but keeps each short. */
const clip = (s: string) => (s.length > 256 ? `${s.slice(0, 255)}…` : s);

/** Answers one AdmissionReview; throws GalleyApiError(REQUEST_INVALID) when the body is not one. */
export function reviewAdmission(body: unknown): AdmissionReview {
  if (!isObject(body) || body['kind'] !== 'AdmissionReview' || !isObject(body['request'])) {
    throw new GalleyApiError('REQUEST_INVALID', 'expected an AdmissionReview with a request');
  }
  const request = body['request'];
  const apiVersion = typeof body['apiVersion'] === 'string' ? body['apiVersion'] : 'admission.k8s.io/v1';
  const uid = typeof request['uid'] === 'string' ? request['uid'] : '';
  const answer = (response: Omit<AdmissionResponse, 'uid'>): AdmissionReview => ({ apiVersion, kind: 'AdmissionReview', response: { uid, ...response } });

  const operation = request['operation'];
  const object = request['object'];
  if (operation === 'DELETE' || operation === 'CONNECT' || !isObject(object)) return answer({ allowed: true });
  if (isForeignDocument(object)) return answer({ allowed: true });

  const meta = isObject(object['metadata']) ? object['metadata'] : {};
  // The API server fills in the namespace of the request, not always the object's.
  const namespace = typeof request['namespace'] === 'string' && request['namespace'] ? request['namespace'] : undefined;
  const target = namespace && !meta['namespace'] ? { ...object, metadata: { ...meta, namespace } } : object;
  const result = validateResource(target, { file: 'admission', defaultNamespace: namespace });
  const warnings = result.warnings.map((w) => clip(formatIssue(w)));
  if (result.valid) return answer(warnings.length ? { allowed: true, warnings } : { allowed: true });
  const response: Omit<AdmissionResponse, 'uid'> = {
    allowed: false,
    status: { code: 400, reason: 'Invalid', message: `admission webhook "validation.sextant.io" denied the request:\n${formatIssues(result.errors)}` },
  };
  if (warnings.length) response.warnings = warnings;
  return answer(response);
}

export interface AdmissionWebhookOptions {
  certFile: string;
  keyFile: string;
  host: string;
  port: number;
  logger: Logger;
}

/** The HTTPS server. The certificate files are read again when they change (rotation). */
export class AdmissionWebhook {
  private server: Server | undefined;

  constructor(private readonly opts: AdmissionWebhookOptions) {}

  async listen(): Promise<number> {
    const server = createServer(this.tls(), (req, res) => void this.handle(req, res));
    this.server = server;
    const reload = () => {
      try {
        server.setSecureContext(this.tls());
        this.opts.logger.info('webhook certificate reloaded');
      } catch (err) {
        this.opts.logger.error({ err: errorMessage(err) }, 'webhook certificate reload failed; keeping the old one');
      }
    };
    watchFile(this.opts.certFile, { interval: 5_000 }, reload);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`cannot listen for the webhook on ${this.opts.host}:${this.opts.port}: ${err.message}`, { cause: err })));
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    unwatchFile(this.opts.certFile);
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  }

  private tls(): { cert: Buffer; key: Buffer } {
    try {
      return { cert: readFileSync(this.opts.certFile), key: readFileSync(this.opts.keyFile) };
    } catch (err) {
      throw new GalleyApiError('WEBHOOK_TLS_INVALID', `webhook certificate ${this.opts.certFile} / key ${this.opts.keyFile}: ${errorMessage(err)}`, { cause: err });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && path === '/ready') return send(200, 'ok');
    if (req.method !== 'POST' || !WEBHOOK_PATHS.includes(path)) return send(404, `not found: ${req.method} ${path}`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return send(413, `AdmissionReview larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(400, 'body is not JSON');
    }
    try {
      const review = reviewAdmission(body);
      if (!review.response.allowed) this.opts.logger.info({ uid: review.response.uid, message: review.response.status?.message }, 'admission denied');
      send(200, review);
    } catch (err) {
      send(400, errorMessage(err));
    }
  }
}
