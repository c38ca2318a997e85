import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import type { HttpMetrics } from './metrics.ts';

const json = JSON.stringify;

/**
 * One access-log line per request, written when the response is done, instead of Fastify's two
 * ("incoming request" + "request completed"), and the latency histogram — Fastify calls this for
 * every response anyway, so neither needs a hook of its own. Health probes and metrics scrapes
 * (route config `quiet`) are left out of the log unless they fail.
 *
 * The line has a fixed shape, so it is serialised by hand — the way fast-json-stringify
 * serialises a schema — and handed to the logger's own destination, in pino's format (the same
 * level, time and bindings fields, so pino-pretty and log shippers read it like any other line).
 * Through pino's generic path (object walk, redaction scan) it was the largest single cost of a
 * small authenticated request (bench:auth). Only known-safe fields go in: no headers, no query.
 *
 * Lines are handed to the destination once per turn of the event loop, joined, not one by one:
 * the buffered destination (sonic-boom) measures its whole pending buffer on every write, which
 * cost more per line than the rest of the log line together (bench:auth, --cpu-prof). They reach
 * it before the next I/O poll, so nothing waits longer than it did, and `flush()` (on close)
 * hands over what a closing turn left.
 */
export class AccessLog extends LogController {
  readonly #logger: Logger;
  readonly #metrics: HttpMetrics;
  readonly #write: (line: string) => void;
  readonly #bindings: string;
  #pending = '';
  #scheduled = false;
  readonly #handOver = () => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(logger: Logger, metrics: HttpMetrics) {
    super({ requestIdLogLabel: 'reqId' });
    this.#logger = logger;
    this.#metrics = metrics;
    const internals = logger as unknown as Record<symbol, unknown>;
    const stream = internals[pino.symbols.streamSym] as { write(line: string): void } | undefined;
    this.#write = stream
      ? (lines) => stream.write(lines)
      : (lines) => {
          for (const line of lines.split('\n')) if (line) logger.info(JSON.parse(line) as object);
        };
    this.#bindings = (internals[pino.symbols.chindingsSym] as string | undefined) ?? '';
  }

  override incomingRequest(): void {}

  /** Hands the lines of this turn to the logger's destination. */
  flush(): void {
    if (this.#pending === '') return;
    const lines = this.#pending;
    this.#pending = '';
    this.#write(lines);
  }

  #append(line: string): void {
    this.#pending += line;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#handOver);
    }
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const route = request.routeOptions.url ?? '(unmatched)';
    this.#metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (request.routeOptions.config.quiet && reply.statusCode < 500 && !error) return;
    const url = request.url;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    if (error) {
      reply.log.error(
        {
          method: request.method,
          url: path,
          route,
          status: reply.statusCode,
          ms,
          ip: request.ip,
          err: error,
        },
        'request errored',
      );
      return;
    }
    if (!this.#logger.isLevelEnabled('info')) return;
    this.#append(
      `{"level":30,"time":${Date.now()}${this.#bindings},"reqId":${json(request.id)},"method":${json(request.method)},"url":${json(path)},"route":${json(route)},"status":${reply.statusCode},"ms":${ms},"ip":${json(request.ip)},"msg":"request"}\n`,
    );
  }
}
