import { randomFillSync } from 'node:crypto';

// one call to the system's random source serves 512 ids
const pool = Buffer.alloc(16 * 512);
let poolOffset = pool.length;
function random16(): Buffer {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const b = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return b;
}

/**
 * UUID version 7: time-ordered, so new rows land at the right edge of B-tree
 * indexes instead of scattering across them (matters at 100k+ rows).
 */
let lastMs = 0;
let seq = 0;
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    // keep ids monotonic within a process, even when the clock stalls
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    ms = lastMs;
  } else {
    lastMs = ms;
    seq = random16().readUInt16BE(0) & 0x7ff;
  }
  const b = random16();
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
