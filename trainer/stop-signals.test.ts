import { describe, expect, it } from 'vitest';
import { stopSignalHandler } from './stop-signals.ts';

describe('stop signals', () => {
  it('counts a second signal only after the pause', () => {
    let t = 0;
    const seen: string[] = [];
    const handle = stopSignalHandler({
      first: (s) => seen.push(`first ${s}`),
      again: (s) => seen.push(`again ${s}`),
      pauseMs: 1_000,
      now: () => t,
    });
    handle('SIGINT');
    // The terminal's copy, the relayed copy and the runner's SIGTERM, all at once: one request.
    handle('SIGINT');
    t = 999;
    handle('SIGTERM');
    expect(seen).toEqual(['first SIGINT']);
    t = 1_000;
    handle('SIGINT');
    expect(seen).toEqual(['first SIGINT', 'again SIGINT']);
  });
});
