/**
 * Run ids: 26 characters of Crockford base32, 10 for the millisecond time and 16 for 80 random bits (the
 * ULID layout). They sort by creation time as plain strings, so S3 listings of runs/ and logs read in
 * order, and they pass shared/keys.ts assertRunId.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

export const RUN_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function encodeTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIME) throw new Error(`time ${ms} is out of range`);
  let out = '';
  for (let i = 0, t = ms; i < TIME_CHARS; i++, t = Math.floor(t / 32)) out = ALPHABET[t % 32] + out;
  return out;
}

/** 80 bits as 16 five-bit digits, most significant first. */
function randomDigits(): number[] {
  const bytes = randomBytes(10);
  const digits: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      digits.push((acc >> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  return digits;
}

/** Adds one to the digits in place; false when they were all at the maximum. */
function increment(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]!++;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}

/**
 * A generator of run ids that stay in creation order within one process even when several are made in the
 * same millisecond (the random part is incremented instead of drawn again).
 */
export function runIdGenerator(clock: () => number = Date.now): () => string {
  let lastTime = -1;
  let last: number[] = [];
  return function newRunId() {
    let time = clock();
    if (time <= lastTime) {
      time = lastTime;
      // 2^80 ids in one millisecond cannot happen; move on a millisecond rather than repeat an id.
      if (!increment(last)) {
        time = lastTime + 1;
        last = randomDigits();
      }
    } else {
      last = randomDigits();
    }
    lastTime = time;
    return encodeTime(time) + last.map((d) => ALPHABET[d]).join('');
  };
}

export const newRunId = runIdGenerator();

/** The creation time encoded in a run id made here. */
export function runIdTime(id: string): Date {
  if (!RUN_ID_PATTERN.test(id)) throw new Error(`'${id}' is not a run id made by functions/ids.ts`);
  let ms = 0;
  for (const ch of id.slice(0, TIME_CHARS)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return new Date(ms);
}

export const RUN_ID_LENGTH = TIME_CHARS + RANDOM_CHARS;

const DATASET_ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** An uploaded dataset's id (shared/uploads.ts UPLOAD_ID): 'u' and 12 random letters or digits. */
export function newDatasetId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `u${Array.from(bytes, (b) => DATASET_ID_CHARS[b % DATASET_ID_CHARS.length]).join('')}`;
}
