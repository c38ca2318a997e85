// The baseline every benchmark is measured against: a bare node:http server answering the same
// body as GET /healthz, with nothing else on the path. Started as its own process by the runner.
import http from 'node:http';

const body = Buffer.from('{"status":"ok"}');
const server = http.createServer((_request, response) => {
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
  });
  response.end(body);
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
