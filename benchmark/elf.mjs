// Whether a shared object has a .debug_info section (a `npm run build:debug` addon does; the release one is
// stripped of it). Reads only the ELF section headers; false for anything that is not a 64-bit little-endian ELF.
import { closeSync, openSync, readSync } from 'node:fs'

function read(fd, offset, length) {
  const buf = Buffer.alloc(length)
  readSync(fd, buf, 0, length, offset)
  return buf
}

export function hasDebugInfo(file) {
  const fd = openSync(file, 'r')
  try {
    const h = read(fd, 0, 64)
    if (h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return false
    const shoff = Number(h.readBigUInt64LE(0x28))
    const shentsize = h.readUInt16LE(0x3a)
    const shnum = h.readUInt16LE(0x3c)
    const shstrndx = h.readUInt16LE(0x3e)
    if (!shoff || !shnum) return false
    const sh = read(fd, shoff, shentsize * shnum)
    const strOff = Number(sh.readBigUInt64LE(shstrndx * shentsize + 0x18))
    const strSize = Number(sh.readBigUInt64LE(shstrndx * shentsize + 0x20))
    const names = read(fd, strOff, strSize)
    for (let i = 0; i < shnum; i++) {
      const at = sh.readUInt32LE(i * shentsize)
      const end = names.indexOf(0, at)
      if (names.toString('latin1', at, end) === '.debug_info') return true
    }
    return false
  } finally {
    closeSync(fd)
  }
}
