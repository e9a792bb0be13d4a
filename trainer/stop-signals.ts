/**
 * SIGINT and SIGTERM as a request to stop with a checkpoint, and a second one, later, as a demand to stop
 * now. A terminal's Ctrl-C reaches every process of its group, and a wrapper (npm, a shell) may relay it
 * once more: those copies arrive together, so a signal within `pauseMs` of the first is the same request.
 */
export interface StopSignalOptions {
  /** The first signal: start stopping. */
  first: (signal: NodeJS.Signals) => void;
  /** A signal after the pause: stop at once. */
  again: (signal: NodeJS.Signals) => void;
  /** How long after the first signal another counts as the same request; default 1 s. */
  pauseMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** The handler alone (tests call it directly); `onStopSignals` installs it. */
export function stopSignalHandler(o: StopSignalOptions): (signal: NodeJS.Signals) => void {
  const pauseMs = o.pauseMs ?? 1_000;
  const now = o.now ?? Date.now;
  let firstAt: number | undefined;
  return (signal) => {
    if (firstAt === undefined) {
      firstAt = now();
      o.first(signal);
    } else if (now() - firstAt >= pauseMs) {
      o.again(signal);
    }
  };
}

export function onStopSignals(o: StopSignalOptions): void {
  const handler = stopSignalHandler(o);
  for (const s of STOP_SIGNALS) process.on(s, handler);
}
