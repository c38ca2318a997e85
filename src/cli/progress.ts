import cliProgress from 'cli-progress';

export interface Progress {
  increment(by?: number): void;
  setValue(value: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; on a pipe (CI, logs), a line at every 10% instead, so long work
 * never looks hung and never floods a log.
 */
export function progress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(24)} [{bar}] {percentage}% {value}/{total} {eta_formatted}`,
        stream,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      increment: (by = 1) => bar.increment(by),
      setValue: (value) => bar.update(value),
      setTotal: (value) => bar.setTotal(value),
      stop: () => bar.stop(),
    };
  }
  let value = 0;
  let max = total;
  let lastDecile = -1;
  const report = () => {
    const decile = max === 0 ? 10 : Math.floor((value / max) * 10);
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`${label}: ${Math.min(100, decile * 10)}% (${value}/${max})\n`);
    }
  };
  report();
  return {
    increment(by = 1) {
      value += by;
      report();
    },
    setValue(next) {
      value = next;
      report();
    },
    setTotal(next) {
      max = next;
    },
    stop() {
      if (lastDecile !== 10) {
        lastDecile = 9;
        value = max;
        report();
      }
    },
  };
}
