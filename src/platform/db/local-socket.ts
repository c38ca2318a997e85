import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/**
 * The embedded database, opened to local clients: a PostgreSQL wire-protocol endpoint on a Unix
 * socket, so the CLI (`create-admin`, `set-plan`, `seed-demo`…) and an operator's `psql` work
 * while the server runs. PGlite is one process's database and one PostgreSQL session; a second
 * process opening its files would corrupt them, so other processes come through here instead.
 *
 * The socket is named as PostgreSQL names its own (`.s.PGSQL.5432` in a directory), so
 * `psql -h $DATA_DIR -U postgres postgres` and node-postgres' `host=<directory>` find it. Its
 * file is readable and writable by the server's user only: whoever can open it is the database
 * superuser, as with a local PostgreSQL's peer authentication.
 *
 * Every client shares the server's one session, so a client's statements must never interleave
 * with the server's own transactions (or another client's). A client holds PGlite's transaction
 * and query locks — exactly what the server's own `query()` and `transaction()` take — from its
 * first message until PostgreSQL reports the session idle again (ReadyForQuery 'I'): for one
 * statement, or for a whole BEGIN…COMMIT. A client that leaves a transaction open is rolled back
 * when it disconnects or after `idleInTransactionMs` without a message, so the server never
 * waits on it for long. What the wire protocol's own session settings would change is not
 * forwarded: the startup message is answered here, not by PGlite. (Like `SET` in a shared
 * session, a client's `SET` would affect the server: the CLI never issues one; an operator must
 * not.)
 */

export const socketFileName = '.s.PGSQL.5432';

export interface LocalSocketOptions {
  pglite: PGlite;
  /** The directory the socket goes in (DATA_DIR). */
  dir: string;
  idleInTransactionMs?: number;
}

export interface LocalSocket {
  readonly path: string;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const cString = (value: string) => Buffer.from(`${value}\0`, 'utf8');
const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};

function errorResponse(text: string): Buffer {
  return message(
    'E',
    Buffer.concat([cString('SFATAL'), cString('C08P01'), cString(`M${text}`), Buffer.from([0])]),
  );
}

/** The status byte of the last ReadyForQuery ('Z') in a backend response, if any. */
function lastReadyStatus(response: Uint8Array): string | undefined {
  let status: string | undefined;
  let offset = 0;
  while (offset + 5 <= response.length) {
    const type = response[offset];
    const length =
      ((response[offset + 1] ?? 0) << 24) |
      ((response[offset + 2] ?? 0) << 16) |
      ((response[offset + 3] ?? 0) << 8) |
      (response[offset + 4] ?? 0);
    if (type === 0x5a && length === 5) status = String.fromCharCode(response[offset + 5] ?? 0);
    offset += 1 + length;
  }
  return status;
}

class Client {
  readonly #pglite: PGlite;
  readonly #socket: Socket;
  readonly #greeting: Buffer;
  readonly #idleInTransactionMs: number;
  #buffer = Buffer.alloc(0);
  #started = false;
  /** Releases PGlite's locks; set while this client holds them. */
  #release: (() => void) | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #work: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: { pglite: PGlite; socket: Socket; greeting: Buffer; idleInTransactionMs: number }) {
    this.#pglite = options.pglite;
    this.#socket = options.socket;
    this.#greeting = options.greeting;
    this.#idleInTransactionMs = options.idleInTransactionMs;
    this.#socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#work = this.#work
        .then(() => this.#drain())
        .catch(() => {
          this.#socket.destroy();
        });
    });
    this.#socket.on('error', () => this.#socket.destroy());
    this.#socket.on('close', () => {
      this.#closed = true;
      this.#work = this.#work.then(() => this.#abandon()).catch(() => {});
    });
  }

  /** Handles every complete message buffered so far. */
  async #drain(): Promise<void> {
    if (!this.#started) {
      if (this.#buffer.length < 8) return;
      const length = this.#buffer.readInt32BE(0);
      if (this.#buffer.length < length) return;
      const code = this.#buffer.readInt32BE(4);
      this.#buffer = this.#buffer.subarray(length);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        this.#socket.write('N'); // no encryption on a local socket; the client goes on in the clear
      } else if (code === PROTOCOL_3) {
        this.#started = true;
        this.#socket.write(this.#greeting);
      } else {
        // Cancel requests (and anything else) are not supported: PGlite runs one statement at a time.
        if (code !== CANCEL_REQUEST) this.#socket.write(errorResponse('unsupported startup message'));
        this.#socket.end();
        return;
      }
      return this.#drain();
    }
    // Typed messages: 1 byte of type, a 4-byte length that counts itself, the body.
    let end = 0;
    let terminate = false;
    while (end + 5 <= this.#buffer.length) {
      const length = this.#buffer.readInt32BE(end + 1);
      if (end + 1 + length > this.#buffer.length) break;
      if (this.#buffer[end] === 0x58 /* 'X' Terminate */) {
        terminate = true;
        break;
      }
      end += 1 + length;
    }
    const batch = this.#buffer.subarray(0, end);
    this.#buffer = this.#buffer.subarray(terminate ? end + 5 : end);
    if (batch.length > 0) await this.#execute(batch);
    if (terminate) this.#socket.end();
  }

  async #execute(batch: Buffer): Promise<void> {
    clearTimeout(this.#idleTimer);
    if (!this.#release) await this.#acquire();
    const response = await this.#pglite.execProtocolRaw(new Uint8Array(batch));
    if (response.length > 0 && !this.#closed) this.#socket.write(response);
    if (lastReadyStatus(response) === 'I') {
      this.#releaseLocks();
    } else if (!this.#closed) {
      // In a transaction (or mid-way through an extended-protocol exchange): keep the locks, briefly.
      this.#idleTimer = setTimeout(() => this.#socket.destroy(), this.#idleInTransactionMs);
      this.#idleTimer.unref();
    }
  }

  /** Takes PGlite's transaction lock, then its query lock, as its own `query()` does, and holds both. */
  async #acquire(): Promise<void> {
    await new Promise<void>((acquired, failed) => {
      this.#pglite
        ._runExclusiveTransaction(() =>
          this.#pglite.runExclusive(
            () =>
              new Promise<void>((release) => {
                this.#release = release;
                acquired();
              }),
          ),
        )
        // e.g. the database closing: the client's work fails and its socket is closed.
        .catch(failed);
    });
  }

  #releaseLocks(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  /** The client went away: roll back whatever it left open, then let the server have the session. */
  async #abandon(): Promise<void> {
    clearTimeout(this.#idleTimer);
    if (!this.#release) return;
    try {
      // Sync ends an extended-protocol exchange left half-way; ROLLBACK outside a transaction only warns.
      await this.#pglite.execProtocolRaw(new Uint8Array(message('S', Buffer.alloc(0))));
      await this.#pglite.execProtocolRaw(new Uint8Array(message('Q', cString('ROLLBACK'))));
    } finally {
      this.#releaseLocks();
    }
  }
}

/** Opens the embedded database on `<dir>/.s.PGSQL.5432`. */
export async function openLocalSocket(options: LocalSocketOptions): Promise<LocalSocket> {
  const socketPath = path.join(options.dir, socketFileName);
  const { pglite } = options;
  const parameters = await pglite.query<{ name: string; setting: string }>(
    `select name, setting from pg_settings
      where name in ('server_version', 'server_encoding', 'client_encoding', 'DateStyle',
                     'integer_datetimes', 'standard_conforming_strings', 'TimeZone', 'IntervalStyle')`,
  );
  const greeting = Buffer.concat([
    message('R', int32(0)), // AuthenticationOk: the socket file's permissions are the authentication
    ...parameters.rows.map((row) => message('S', Buffer.concat([cString(row.name), cString(row.setting)]))),
    message('K', Buffer.concat([int32(process.pid), int32(0)])),
    message('Z', Buffer.from('I')),
  ]);
  // A socket file left by a server that died is stale: the data directory's lock says we own it now.
  await rm(socketPath, { force: true });
  const clients = new Set<Socket>();
  const server: Server = createServer((socket) => {
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
    new Client({ pglite, socket, greeting, idleInTransactionMs: options.idleInTransactionMs ?? 30_000 });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  await chmod(socketPath, 0o600);
  return {
    path: socketPath,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of clients) socket.destroy();
      await closed;
      await rm(socketPath, { force: true });
    },
  };
}
