// bench:live's chat viewers: one of BENCH_CLIENT_PROCESSES processes, each opening its share of
// the sockets (forked by chat-load.ts, commands over IPC). Each frame is searched for the posted-
// at stamps of the bodies it carries (`"body":"t <ms>"`; a batch carries several) and nothing
// else is parsed, so the readers cost as little as they can; latencies go into a histogram per
// pass (one count per millisecond), which is all the parent needs for percentiles.
import type { WebSocket } from 'ws';
import { joinChat } from './chat-join.ts';
import type { ViewerCommand, ViewerReport, ViewerTarget } from './chat-load.ts';

const stamp = Buffer.from('"body":"t ');
let measuring = false;
let passStarted = 0;
let delivered = 0;
let stale = 0;
let histogram = new Map<number, number>();
let open = 0;
const sockets: WebSocket[] = [];

function onFrame(data: Buffer): void {
  if (!measuring) return;
  const now = Date.now();
  for (let at = data.indexOf(stamp); at !== -1; at = data.indexOf(stamp, at + stamp.length)) {
    let posted = 0;
    for (let index = at + stamp.length; index < data.length; index++) {
      const digit = (data[index] as number) - 48;
      if (digit < 0 || digit > 9) break;
      posted = posted * 10 + digit;
    }
    // Posted before this pass began: the previous pass's backlog, not this one's.
    if (posted < passStarted) {
      stale++;
      continue;
    }
    delivered++;
    histogram.set(now - posted, (histogram.get(now - posted) ?? 0) + 1);
  }
}

async function join(target: ViewerTarget, index: number): Promise<WebSocket> {
  const socket = await joinChat(target, index);
  open++;
  socket.on('message', onFrame);
  socket.once('close', () => open--);
  return socket;
}

const reply = (report: ViewerReport) => process.send?.(report);

process.on('message', (command: ViewerCommand) => {
  switch (command.type) {
    case 'connect':
      void (async () => {
        for (let index = 0; index < command.count; index += command.concurrency) {
          const batch = Array.from(
            { length: Math.min(command.concurrency, command.count - index) },
            (_, offset) => join(command.target, command.offset + index + offset),
          );
          sockets.push(...(await Promise.all(batch)));
        }
        reply({ type: 'connected', open });
      })().catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
      return;
    case 'start':
      passStarted = command.passStarted;
      delivered = 0;
      stale = 0;
      histogram = new Map();
      measuring = true;
      return;
    case 'report':
      if (command.final) measuring = false;
      reply({
        type: 'report',
        delivered,
        stale,
        open,
        ...(command.final ? { histogram: [...histogram] } : {}),
      });
      return;
    case 'exit':
      for (const socket of sockets) socket.terminate();
      process.exit(0);
  }
});
// The bench ended (or failed) without saying so: nothing is left running.
process.on('disconnect', () => process.exit(0));
