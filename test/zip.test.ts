/**
 * The store-package ZIP writer, read back by an independent minimal reader of the format
 * (central directory → local header → data), checking names, methods, CRCs and contents.
 */
import { randomBytes } from 'node:crypto';
import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { unzip as readZip, zip } from '../scripts/zip';

interface ReadEntry {
  name: string;
  method: number;
  data: Buffer;
  mode: number;
}

function unzip(archive: Buffer): ReadEntry[] {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBe(archive.length - 22);
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(archive.readUInt32LE(at)).toBe(0x02014b50);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extra = archive.readUInt16LE(at + 30);
    const comment = archive.readUInt16LE(at + 32);
    const mode = archive.readUInt32LE(at + 38) >>> 16;
    const offset = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(archive.readUInt32LE(offset)).toBe(0x04034b50);
    const localName = archive.readUInt16LE(offset + 26);
    const localExtra = archive.readUInt16LE(offset + 28);
    const start = offset + 30 + localName + localExtra;
    const body = archive.subarray(start, start + size);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(crc32(data), name).toBe(crc);
    entries.push({ name, method, data, mode });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

describe('zip writer', () => {
  const text = Buffer.from('{"manifest_version":3}\n'.repeat(200));
  const noise = randomBytes(4096);

  it('round-trips every file, deflating text and storing what does not shrink', () => {
    const entries = unzip(zip([{ name: 'manifest.json', data: text }, { name: 'assets/icon-16.png', data: noise }, { name: '_locales/zh_CN/messages.json', data: Buffer.from('{"extName":{"message":"爆仓计"}}') }]));
    expect(entries.map((e) => e.name)).toEqual(['_locales/zh_CN/messages.json', 'assets/icon-16.png', 'manifest.json']);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    expect(byName['manifest.json']!.method).toBe(8);
    expect(byName['manifest.json']!.data.equals(text)).toBe(true);
    expect(byName['assets/icon-16.png']!.method).toBe(0);
    expect(byName['assets/icon-16.png']!.data.equals(noise)).toBe(true);
    expect(byName['_locales/zh_CN/messages.json']!.data.toString('utf8')).toContain('爆仓计');
    expect(byName['manifest.json']!.mode).toBe(0o100644);
  });

  it('gives the same bytes for the same files in any order', () => {
    const a = zip([{ name: 'b.txt', data: text }, { name: 'a.txt', data: noise }]);
    const b = zip([{ name: 'a.txt', data: noise }, { name: 'b.txt', data: text }]);
    expect(a.equals(b)).toBe(true);
  });

  it('writes a valid empty archive and refuses names that escape the folder', () => {
    expect(unzip(zip([]))).toEqual([]);
    for (const name of ['../evil', '/abs', 'a\\b', '']) expect(() => zip([{ name, data: text }])).toThrow(/bad zip entry name/);
  });

  it("its reader (the packaging checks') reads what this test's reader reads, and refuses a corrupted entry", () => {
    const archive = zip([{ name: 'manifest.json', data: text }, { name: 'assets/icon-16.png', data: noise }]);
    expect(readZip(archive)).toEqual(unzip(archive).map(({ name, data }) => ({ name, data })));
    const stored = archive.indexOf(noise.subarray(0, 32));
    const corrupted = Buffer.from(archive);
    corrupted.writeUInt8(corrupted.readUInt8(stored + 5) ^ 0xff, stored + 5);
    expect(() => readZip(corrupted)).toThrow(/CRC mismatch in assets\/icon-16.png/);
    expect(() => readZip(Buffer.from('not a zip'))).toThrow(/no end of central directory/);
  });
});
