// Runs one autocannon measurement in its own process (so the load generator never shares a
// thread with the runner's bookkeeping) and sends the result back over IPC.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

/**
 * A list of requests served as one rotation shared by every connection, each request built when
 * it is sent. autocannon's own handling of `requests` builds the whole list for every connection
 * when it starts, synchronously (100 connections × 1,000 requests: 2 s on this machine), after
 * the first connections have already timed their first request: those answers wait for the
 * loop, and in fixed-rate mode the coordinated-omission correction (autocannon expects one
 * request per millisecond per connection) turns those few late answers into thousands of
 * samples — a p99 of seconds that no server caused. One entry with `setupRequest` is built per
 * request instead (microseconds), and the shared rotation spreads the connections over the whole
 * list instead of each replaying it from its start (where a short run never reaches its end).
 */
function rotation(requests: autocannon.Request[]): autocannon.Request[] {
  let next = 0;
  return [
    {
      setupRequest: (request) => {
        const picked = requests[next++ % requests.length];
        return {
          ...request,
          ...picked,
          ...(typeof picked?.body === 'string' && { body: fresh(picked.body, next) }),
          headers: { ...request.headers, ...picked?.headers },
        };
      },
    },
  ];
}

/** This process's 8 hex digits: `{{p}}` in a body (so two runs never send the same ids). */
const processTag = randomBytes(4).toString('hex');

/**
 * A body whose ids are new on every request: `{{p}}` becomes this process's tag and `{{n}}` the
 * request's number as 9 hex digits (e.g. the two outer groups of a uuid), so a rotation of a few
 * bodies still sends events the server has never seen rather than retries it skips.
 */
const fresh = (body: string, sequence: number) =>
  body.includes('{{n}}')
    ? body.replaceAll('{{p}}', processTag).replaceAll('{{n}}', sequence.toString(16).padStart(9, '0'))
    : body;

process.once('message', (options: autocannon.Options) => {
  const requests =
    options.requests && options.requests.length > 1 ? rotation(options.requests) : options.requests;
  autocannon({ ...options, ...(requests && { requests }) }, (error, result) => {
    process.send?.(error ? { error: String(error) } : { result }, () => process.exit(0));
  });
});
