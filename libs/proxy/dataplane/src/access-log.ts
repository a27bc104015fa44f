// JSON access log in Istio's default field set, written through pino. The
// request path only copies a few fields into a queue; formatting and
// writing happen in a batch on the next turn of the event loop.
// Requests an AuthorizationPolicy with action AUDIT matched (an RBAC filter
// with action LOG) carry two more fields: access_log_hint (Envoy's
// envoy.common metadata key) and audit_policy, the RBAC policy name(s),
// e.g. ns[foo]-policy[audit-admin]-rule[0]; `audited` counts those lines.
import type { Logger } from '@sextant/util';
import { flagsToString } from './response-flags';

export type AccessLogMode = 'config' | 'on' | 'off';

export interface AccessLogEntry {
  start_time: string;
  method: string | null;
  path: string | null;
  protocol: string;
  response_code: number;
  response_flags: string;
  response_code_details: string | null;
  bytes_received: number;
  bytes_sent: number;
  duration: number;
  upstream_service_time: number | null;
  x_forwarded_for: string | null;
  user_agent: string | null;
  request_id: string | null;
  authority: string | null;
  upstream_host: string | null;
  upstream_cluster: string | null;
  upstream_local_address: string | null;
  downstream_local_address: string;
  downstream_remote_address: string;
  requested_server_name: string | null;
  route_name: string | null;
  attempts?: number;
  /** Set (true) only on requests an AUDIT policy matched. */
  access_log_hint?: boolean;
  /** The matching AUDIT policies' RBAC names, comma-separated. */
  audit_policy?: string;
}

const MAX_QUEUE = 10_000;

export class AccessLogger {
  private queue: AccessLogEntry[] = [];
  private scheduled = false;
  dropped = 0;
  /** Access log lines of audited requests (AUDIT / RBAC LOG matched). */
  audited = 0;

  constructor(
    private readonly logger: Logger | undefined,
    public mode: AccessLogMode = 'config',
  ) {}

  /** Whether a listener or connection manager with (or without) an access_log config logs. */
  enabled(configured: boolean): boolean {
    if (!this.logger) return false;
    return this.mode === 'on' || (this.mode === 'config' && configured);
  }

  push(e: AccessLogEntry): void {
    if (this.queue.length >= MAX_QUEUE) {
      this.dropped++;
      return;
    }
    this.queue.push(e);
    if (e.audit_policy !== undefined) this.audited++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const log = this.logger;
    if (!log) return;
    for (const e of batch) log.info(e, 'access');
  }

  static flags(bits: number): string {
    return flagsToString(bits);
  }
}
