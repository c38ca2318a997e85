// bench:live's chat load: the viewers spread over several processes (chat-viewers.ts), and a
// pass that posts at a fixed rate, then waits until every expected delivery has arrived (or none
// has for a while), so a backlog never spills into the next pass and is counted in the latency
// of the pass it belongs to.
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { forkLoadScript } from './runner.ts';

export type ViewerTarget =
  { kind: 'bare'; url: string } | { kind: 'marquee'; bases: string[]; eventId: string; accessToken: string };

export type ViewerCommand =
  | { type: 'connect'; target: ViewerTarget; count: number; offset: number; concurrency: number }
  | { type: 'start'; passStarted: number }
  | { type: 'report'; final: boolean }
  | { type: 'exit' };

export type ViewerReport =
  | { type: 'connected'; open: number }
  | { type: 'report'; delivered: number; stale: number; open: number; histogram?: Array<[number, number]> };

export interface PassResult {
  /** Messages posted × viewers connected when the pass began. */
  expected: number;
  delivered: number;
  p50: number;
  p99: number;
  max: number;
  /** Viewers whose socket closed during the pass (a server drops one that reads too slowly). */
  viewersLost: number;
  /** Seconds after the last post until the deliveries stopped coming. */
  drainSeconds: number;
  /** Deliveries of an earlier pass's messages seen during this one (should be 0). */
  stale: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(histogram: Map<number, number>, total: number, p: number): number {
  if (total === 0) return NaN;
  const rank = Math.min(total - 1, Math.floor((p / 100) * total));
  let seen = 0;
  for (const [ms, count] of [...histogram].sort((a, b) => a[0] - b[0])) {
    seen += count;
    if (seen > rank) return ms;
  }
  return NaN;
}

export class ChatLoad {
  readonly #children: ChildProcess[];
  #open = 0;

  private constructor(children: ChildProcess[]) {
    this.#children = children;
  }

  /** Forks `processes` viewer processes and connects `viewers` sockets over them. */
  static async start(options: {
    processes: number;
    viewers: number;
    target: ViewerTarget;
  }): Promise<ChatLoad> {
    const children = Array.from({ length: options.processes }, () => forkLoadScript('chat-viewers.ts'));
    const load = new ChatLoad(children);
    const share = Math.ceil(options.viewers / options.processes);
    const replies = await load.#ask(
      (index) => ({
        type: 'connect',
        target: options.target,
        offset: index * share,
        // 50 joins at a time in all, as one process did.
        concurrency: Math.ceil(50 / options.processes),
        count: Math.max(0, Math.min(share, options.viewers - index * share)),
      }),
      'connected',
    );
    load.#open = replies.reduce((sum, reply) => sum + reply.open, 0);
    return load;
  }

  get viewers(): number {
    return this.#open;
  }

  /**
   * Posts `perSecond` messages (`post` gets each body, `t <ms>`) for `seconds`, then waits for the
   * deliveries: until all expected arrived, none arrived for `quietSeconds`, or `drainSeconds` passed.
   */
  async pass(options: {
    post: (body: string) => void | Promise<void>;
    perSecond: number;
    seconds: number;
    quietSeconds?: number;
    drainSeconds: number;
  }): Promise<PassResult> {
    const viewersAtStart = this.#open;
    const passStarted = Date.now();
    this.#tell({ type: 'start', passStarted });
    const total = Math.round(options.perSecond * options.seconds);
    for (let sent = 0; sent < total; sent++) {
      const due = passStarted + (sent * 1000) / options.perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      await options.post(`t ${Date.now()}`);
    }
    const lastPost = Date.now();
    const expected = total * viewersAtStart;
    let delivered = 0;
    let progressAt = Date.now();
    while (Date.now() - lastPost < options.drainSeconds * 1000) {
      await sleep(500);
      const now = (await this.#ask(() => ({ type: 'report', final: false }), 'report')).reduce(
        (sum, reply) => sum + reply.delivered,
        0,
      );
      if (now > delivered) progressAt = Date.now();
      delivered = now;
      if (delivered >= expected || Date.now() - progressAt > (options.quietSeconds ?? 3) * 1000) break;
    }
    const drainSeconds = (Math.max(progressAt, lastPost) - lastPost) / 1000;
    const reports = await this.#ask(() => ({ type: 'report', final: true }), 'report');
    const histogram = new Map<number, number>();
    for (const report of reports)
      for (const [ms, count] of report.histogram ?? []) histogram.set(ms, (histogram.get(ms) ?? 0) + count);
    delivered = reports.reduce((sum, report) => sum + report.delivered, 0);
    this.#open = reports.reduce((sum, report) => sum + report.open, 0);
    return {
      expected,
      delivered,
      p50: percentile(histogram, delivered, 50),
      p99: percentile(histogram, delivered, 99),
      max: Math.max(...histogram.keys()),
      viewersLost: viewersAtStart - this.#open,
      drainSeconds,
      stale: reports.reduce((sum, report) => sum + report.stale, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#children.map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.send({ type: 'exit' } satisfies ViewerCommand);
        await exited;
      }),
    );
  }

  #tell(command: ViewerCommand): void {
    for (const child of this.#children) child.send(command);
  }

  /** One command to each child (built per child), and each one's reply of the given type. */
  async #ask<T extends ViewerReport['type']>(
    command: (index: number) => ViewerCommand,
    type: T,
  ): Promise<Array<Extract<ViewerReport, { type: T }>>> {
    return Promise.all(
      this.#children.map(
        (child, index) =>
          new Promise<Extract<ViewerReport, { type: T }>>((resolve, reject) => {
            const onMessage = (report: ViewerReport) => {
              if (report.type !== type) return;
              child.off('message', onMessage);
              child.off('exit', onExit);
              resolve(report as Extract<ViewerReport, { type: T }>);
            };
            const onExit = (code: number | null) => reject(new Error(`chat viewers exited with ${code}`));
            child.on('message', onMessage);
            child.once('exit', onExit);
            child.send(command(index));
          }),
      ),
    );
  }
}
