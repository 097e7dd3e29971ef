/**
 * Snappy decompression (the raw format: a varint length, then literals and back-references),
 * for LevelDB table blocks written compressed. The store check reads a table's index blocks
 * itself to find every block it must checksum. Throws on anything malformed.
 */
export function snappyDecompress(src: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) throw new Error("snappy: bad length");
    const b = src[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = new Uint8Array(length);
  let op = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (pos + extra > src.length) throw new Error("snappy: truncated literal length");
        n = 0;
        for (let i = 0; i < extra; i++) n += src[pos + i]! * 2 ** (8 * i);
        pos += extra;
      }
      n += 1;
      if (pos + n > src.length || op + n > length) throw new Error("snappy: literal out of range");
      out.set(src.subarray(pos, pos + n), op);
      pos += n;
      op += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > src.length) throw new Error("snappy: truncated copy");
      n = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos]!;
      pos += 1;
    } else if (kind === 2) {
      if (pos + 2 > src.length) throw new Error("snappy: truncated copy");
      n = (tag >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > src.length) throw new Error("snappy: truncated copy");
      n = (tag >>> 2) + 1;
      offset =
        src[pos]! + src[pos + 1]! * 2 ** 8 + src[pos + 2]! * 2 ** 16 + src[pos + 3]! * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > op || op + n > length) {
      throw new Error("snappy: copy out of range");
    }
    // Byte by byte: a copy may overlap what it writes (a run).
    for (let i = 0; i < n; i++, op++) out[op] = out[op - offset]!;
  }
  if (op !== length) throw new Error("snappy: output shorter than its stated length");
  return out;
}
