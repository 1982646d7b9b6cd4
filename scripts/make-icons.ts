/**
 * Draws the extension icon (a gauge with its needle in the red) at 16/32/48/128 px as PNG,
 * with no image library: pixels → zlib → PNG chunks. Run: npx tsx scripts/make-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

function crc32(buffer: Buffer): number {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Gauge colour from green (left) to red (right) along the arc. */
function arcColour(angle: number): Rgba {
  const t = 1 - angle / Math.PI; // 0 at left, 1 at right
  return [Math.round(14 + t * (246 - 14)), Math.round(203 - t * (203 - 70)), Math.round(129 - t * (129 - 93)), 255];
}

function icon(size: number): Buffer {
  const s = 4; // supersampling per axis
  return png(size, (px, py) => {
    let acc = [0, 0, 0, 0];
    for (let sy = 0; sy < s; sy++) {
      for (let sx = 0; sx < s; sx++) {
        const x = (px + (sx + 0.5) / s) / size;
        const y = (py + (sy + 0.5) / s) / size;
        const c = sample(x, y);
        acc = acc.map((v, i) => v + c[i]!);
      }
    }
    return acc.map((v) => Math.round(v / (s * s))) as Rgba;
  });
}

function sample(x: number, y: number): Rgba {
  const r = 0.18; // corner radius
  const inside = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0) ** 2 + Math.max(Math.abs(y - 0.5) - (0.5 - r), 0) ** 2 <= r * r;
  if (!inside) return [0, 0, 0, 0];
  const cx = 0.5, cy = 0.66;
  const dx = x - cx, dy = cy - y;
  const dist = Math.hypot(dx, dy);
  const angle = Math.atan2(dy, dx);
  if (dy >= -0.02 && dist > 0.27 && dist < 0.4 && angle >= 0 && angle <= Math.PI) return arcColour(angle);
  // Needle pointing at 30° (deep in the red): distance from the segment centre → tip.
  const needle = (Math.PI * 30) / 180;
  const tx = Math.cos(needle), ty = Math.sin(needle);
  const along = dx * tx + dy * ty;
  const across = Math.abs(-dx * ty + dy * tx);
  if (along > -0.02 && along < 0.36 && across < 0.035) return [234, 236, 239, 255];
  if (dist < 0.06) return [234, 236, 239, 255];
  return [24, 26, 32, 255];
}

for (const size of [16, 32, 48, 128]) writeFileSync(new URL(`../assets/icon-${size}.png`, import.meta.url), icon(size));
console.log('icons written to assets/');
