// A reference point between the two ends: a bare Fastify app with the same route and nothing
// else registered. Started as its own process by the runner.
import Fastify from 'fastify';

const app = Fastify();
app.get('/healthz', () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
