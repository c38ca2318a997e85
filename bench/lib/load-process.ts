// Runs one autocannon measurement in its own process (so the load generator never shares a
// thread with the runner's bookkeeping) and sends the result back over IPC.
import autocannon from 'autocannon';

process.once('message', (options: autocannon.Options) => {
  autocannon(options, (error, result) => {
    process.send?.(error ? { error: String(error) } : { result }, () => process.exit(0));
  });
});
