/** Vitest global set-up of the e2e project: the browser, installed before any test needs it (chromium.ts). */
import { ensureChromium } from './chromium.ts';

export default function setup(): void {
  ensureChromium();
}
