/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, central directory, end record;
 * deflate or store, UTF-8 names, no ZIP64) on node:zlib, for the store packages, and its reader.
 * Entries are sorted and stamped with one fixed time, so the same files give the same bytes.
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, forward slashes, no leading slash. */
  name: string;
  data: Buffer;
}

/** Bit 11: file names are UTF-8. */
const UTF8_FLAG = 0x0800;
const DEFLATE = 8;
const STORE = 0;
/** "Version needed to extract" 2.0: deflate. */
const VERSION = 20;
/** Made by UNIX (high byte 3), so the external attributes carry file permissions. */
const MADE_BY_UNIX = (3 << 8) | VERSION;
/** -rw-r--r-- regular file, in the high 16 bits of the external attributes. */
const FILE_MODE = (0o100644 << 16) >>> 0;
const MAX_32 = 0xffffffff;

/** MS-DOS date and time (local fields, 2-second resolution) of `date` in UTC. */
function dosDateTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function checkName(name: string): void {
  if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) throw new Error(`bad zip entry name: ${name}`);
}

/** The archive bytes for `entries`, all stamped `mtime` (default 2020-01-01T00:00:00Z). */
export function zip(entries: ZipEntry[], mtime = new Date(Date.UTC(2020, 0, 1))): Buffer {
  const stamp = dosDateTime(mtime);
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of sorted) {
    checkName(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = deflateRawSync(entry.data, { level: 9 });
    // Store what deflate cannot shrink (PNG icons, tiny files).
    const method = deflated.length < entry.data.length ? DEFLATE : STORE;
    const body = method === DEFLATE ? deflated : entry.data;
    const crc = crc32(entry.data);
    if (body.length > MAX_32 || entry.data.length > MAX_32 || offset > MAX_32) throw new Error('zip: entry too large (no ZIP64)');

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(stamp.time, 10);
    local.writeUInt16LE(stamp.date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(VERSION, 6);
    central.writeUInt16LE(UTF8_FLAG, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(stamp.time, 12);
    central.writeUInt16LE(stamp.date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // Extra field, comment, disk number, internal attributes: all zero.
    central.writeUInt32LE(FILE_MODE, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  if (sorted.length > 0xffff) throw new Error('zip: too many entries (no ZIP64)');
  return Buffer.concat([...locals, directory, end]);
}

/**
 * The entries of an archive `zip` wrote (or any ZIP of stored and deflated entries without
 * ZIP64), read from the central directory, CRC-checked: the packaging checks read the zips back.
 */
export function unzip(archive: Buffer): ZipEntry[] {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > archive.length) throw new Error('unzip: no end of central directory record');
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error(`unzip: bad central directory header at ${at}`);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extra = archive.readUInt16LE(at + 30);
    const comment = archive.readUInt16LE(at + 32);
    const offset = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (archive.readUInt32LE(offset) !== 0x04034b50) throw new Error(`unzip: bad local header for ${name}`);
    const start = offset + 30 + archive.readUInt16LE(offset + 26) + archive.readUInt16LE(offset + 28);
    const body = archive.subarray(start, start + size);
    if (method !== STORE && method !== DEFLATE) throw new Error(`unzip: ${name} uses compression method ${method}`);
    const data = method === DEFLATE ? inflateRawSync(body) : Buffer.from(body);
    if (crc32(data) !== crc) throw new Error(`unzip: CRC mismatch in ${name}`);
    if (!name.endsWith('/')) entries.push({ name, data });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}
