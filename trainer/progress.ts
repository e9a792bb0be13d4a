/** Training progress for people: a live one-line bar on a terminal, plain lines in logs. */
import type { ProgressEvent } from './loop.ts';

function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function describeProgress(p: ProgressEvent, barWidth = 0): string {
  const frac = p.totalSteps ? p.step / p.totalSteps : 0;
  const bar = barWidth ? `[${'='.repeat(Math.round(frac * barWidth)).padEnd(barWidth, ' ')}] ` : '';
  const losses = Object.entries(p.losses ?? {})
    .filter(([k]) => k.startsWith('loss/'))
    .map(([k, v]) => `${k.slice(5)} ${v.toFixed(3)}`)
    .join(' ');
  const speed = p.imagesPerSecond === undefined ? '' : ` | ${p.imagesPerSecond.toFixed(0)} img/s`;
  return `${bar}step ${p.step}/${p.totalSteps}${losses ? ` | ${losses}` : ''}${speed} | ETA ${duration(p.etaSeconds)}`;
}

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: ProgressEvent) => void {
  const live = stream.isTTY === true;
  let lastLine = 0;
  return (p) => {
    if (p.kind === 'start') {
      stream.write(
        p.resumedFrom !== undefined
          ? `resuming from checkpoint at step ${p.resumedFrom}\n`
          : 'starting at step 0\n',
      );
      return;
    }
    if (live) {
      if (p.kind !== 'step' && p.kind !== 'done') return;
      stream.write(`\r\x1b[2K${describeProgress(p, 30)}`);
      if (p.kind === 'done') stream.write('\n');
      return;
    }
    // In a log: one line every 10 s and at every sample, checkpoint and the end.
    const now = Date.now();
    if (p.kind === 'step' && now - lastLine < 10_000) return;
    lastLine = now;
    const note = p.kind === 'step' ? '' : ` (${p.kind}${p.kind === 'sample' ? ` ${p.lastSampleStep}` : ''})`;
    stream.write(`${describeProgress(p)}${note}\n`);
  };
}
