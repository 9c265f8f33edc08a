// One loopback HTTP server per stand-in: reads the request, records it, applies latency and faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnsweredFault, RecordedRequest, Recorder, ServiceName } from './recorder.js';

export interface StandInRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Host header as received (e.g. `127.0.0.1:4567`). */
  host: string;
}

export interface StandInResponse {
  status: number;
  headers?: Record<string, string | number | string[]>;
  body?: string | Buffer;
}

export interface StandIn {
  service: ServiceName;
  /** Names the operation and whether it writes, before the request is handled (used for the log and for fault rules). */
  classify(req: StandInRequest): { operation: string; write: boolean; accessKeyId?: string };
  handle(req: StandInRequest): Promise<StandInResponse> | StandInResponse;
  /** The service's own answer for an injected 5xx or throttle. */
  faultResponse(kind: AnsweredFault, req: StandInRequest): StandInResponse;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startStandIn(standIn: StandIn, recorder: Recorder): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    void serveOne(standIn, recorder, req, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serveOne(standIn: StandIn, recorder: Recorder, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAt = performance.now();
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    // The client went away while sending (an aborted upload): there is nobody to answer.
    return;
  }
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const request: StandInRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: Buffer.concat(chunks),
    host: req.headers.host ?? '',
  };
  let entry: RecordedRequest | undefined;
  try {
    const kind = standIn.classify(request);
    const recorded = recorder.record({ service: standIn.service, ...request, ...kind, startedAt });
    entry = recorded.entry;
    if (recorder.latencyMs > 0) await new Promise((r) => setTimeout(r, recorder.latencyMs));
    if (recorded.fault === 'hang') return;
    const drop = (e: RecordedRequest): void => {
      req.socket.destroy();
      e.endedAt = performance.now();
    };
    if (recorded.fault === 'reset') return drop(entry);
    const answered = recorded.fault === '5xx' || recorded.fault === 'throttle' ? recorded.fault : undefined;
    const answer = answered ? standIn.faultResponse(answered, request) : await standIn.handle(request);
    if (answer.status === 501) recorder.unknown.push(entry);
    if (recorded.fault === 'lost') {
      entry.lostStatus = answer.status;
      return drop(entry);
    }
    entry.status = answer.status;
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(request.method === 'HEAD' ? undefined : answer.body);
    entry.endedAt = performance.now();
  } catch (err) {
    if (entry) {
      entry.status = 500;
      recorder.unknown.push(entry);
    }
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`stand-in crashed: ${(err as Error).stack ?? String(err)}`);
    if (entry) entry.endedAt = performance.now();
  }
}
