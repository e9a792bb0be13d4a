/**
 * Vitest global set-up of the e2e project, run once before its files (which run in parallel): the browser,
 * installed before any test needs it (chromium.ts), and the dashboard's build, made here once so that two
 * files never build web/dist at the same time (one's build emptied the folder under the other's).
 */
import { ensureWebBuilt } from '../../scripts/platform/web-build.ts';
import { ensureChromium } from './chromium.ts';

export default function setup(): void {
  ensureChromium();
  ensureWebBuilt();
}
