import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

/**
 * Fastify gives every request a child logger (`request.log`) carrying its request id. Making a
 * pino child costs more than everything else a small request does (bench:http measured ~40% of
 * throughput), and most requests never log: the access line is written by the parent with the
 * id added. So the child is made on first use.
 */
export class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #logger(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  get level(): LevelWithSilentOrString {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }
  set level(level: LevelWithSilentOrString) {
    this.#logger.level = level;
  }

  fatal(...args: unknown[]): void {
    const logger = this.#logger;
    Reflect.apply(logger.fatal, logger, args);
  }
  error(...args: unknown[]): void {
    const logger = this.#logger;
    Reflect.apply(logger.error, logger, args);
  }
  warn(...args: unknown[]): void {
    const logger = this.#logger;
    Reflect.apply(logger.warn, logger, args);
  }
  info(...args: unknown[]): void {
    const logger = this.#logger;
    Reflect.apply(logger.info, logger, args);
  }
  debug(...args: unknown[]): void {
    const logger = this.#logger;
    Reflect.apply(logger.debug, logger, args);
  }
  trace(...args: unknown[]): void {
    const logger = this.#logger;
    Reflect.apply(logger.trace, logger, args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }
}
