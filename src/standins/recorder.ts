// Shared plumbing of the local stand-ins: request log, latency and fault injection.
import type { IncomingHttpHeaders } from 'node:http';

export type ServiceName = 's3' | 'iam' | 'sts' | 'heroku' | 'opentok';
/**
 * `5xx`, `throttle`: the service's own error answer instead of the real one. `reset`: the connection is reset before the
 * request is handled. `hang`: the request is read and never answered (until the stand-ins close). `lost`: the request is
 * handled for real (its effect lands), then the connection is reset before the answer is written.
 */
export type FaultKind = '5xx' | 'throttle' | 'reset' | 'hang' | 'lost';

/** The faults a stand-in answers itself (the others are applied to the connection by serve.ts). */
export type AnsweredFault = Extract<FaultKind, '5xx' | 'throttle'>;

export interface RecordedRequest {
  /** 0-based position among all requests seen by every service of one LocalServices. */
  index: number;
  service: ServiceName;
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Operation name in the service's own vocabulary: `CreateBucket`, `CreateAccessKey`, `PATCH /apps/{app}/config-vars`. */
  operation: string;
  /** True for every request that changes state (or would, had it succeeded). */
  write: boolean;
  /** Access key that signed an AWS request; undefined for anonymous or non-AWS requests. */
  accessKeyId?: string;
  /** Status code answered; 0 when the connection was reset (for `lost`: 0, the handler's status is in `lostStatus`). */
  status: number;
  /** For a `lost` fault: the status the handler decided, which never reached the caller. */
  lostStatus?: number;
  /** A fault was injected instead of the real answer. */
  faulted?: FaultKind;
  /** When the request reached the stand-in: `performance.now()` of the stand-ins' process, in ms (for ordering and timing only). */
  startedAt: number;
  /** When the answer was handed to the socket (or the connection was reset), same clock; undefined while the request is in flight. */
  endedAt?: number;
}

export interface FaultRule {
  /** Which requests to fail. */
  match: (r: RecordedRequest) => boolean;
  kind: FaultKind;
  /** How many matching requests to fail (default 1). */
  times?: number;
}

/** Log, latency and faults shared by all the services of one LocalServices instance. */
export class Recorder {
  readonly requests: RecordedRequest[] = [];
  /** Requests no handler understood (answered 501): tests assert this stays empty. */
  readonly unknown: RecordedRequest[] = [];
  latencyMs = 0;
  private readonly rules: { rule: FaultRule; left: number }[] = [];

  /** Fail the request with this global index (see RecordedRequest.index). */
  failAt(index: number, kind: FaultKind): void {
    this.addFault({ match: (r) => r.index === index, kind, times: 1 });
  }

  addFault(rule: FaultRule): void {
    this.rules.push({ rule, left: rule.times ?? 1 });
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  reset(): void {
    this.requests.length = 0;
    this.unknown.length = 0;
  }

  /** Registers a request and returns the fault to inject, if any. */
  record(
    r: Omit<RecordedRequest, 'index' | 'status' | 'startedAt' | 'endedAt'> & { startedAt?: number },
  ): { entry: RecordedRequest; fault?: FaultKind } {
    const entry: RecordedRequest = { ...r, index: this.requests.length, status: 0, startedAt: r.startedAt ?? performance.now() };
    this.requests.push(entry);
    for (const slot of this.rules) {
      if (slot.left > 0 && slot.rule.match(entry)) {
        slot.left -= 1;
        entry.faulted = slot.rule.kind;
        return { entry, fault: slot.rule.kind };
      }
    }
    return { entry };
  }

  /** Requests that changed state (or tried to): writes not failed by a fault, and writes whose answer was lost. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.write && (!r.faulted || r.faulted === 'lost'));
  }
}
