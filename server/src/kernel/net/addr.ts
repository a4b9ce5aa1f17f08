/** IPv4/IPv6 endpoint text ("127.0.0.1:22", "[::1]:22", "::/0") to the bytes the kernel stores (network order). */

export interface Endpoint { family: 'inet' | 'inet6'; addr: Uint8Array; port: number }

export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]) || Number(parts[i]) > 255) return null;
    out[i] = Number(parts[i]);
  }
  return out;
}

export function parseIPv6(text: string): Uint8Array | null {
  let tail: Uint8Array | null = null;
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {            // ::ffff:1.2.3.4
    tail = parseIPv4(text.slice(lastColon + 1));
    if (!tail) return null;
    body = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const words = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const w of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return null;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const head = words(halves[0]);
  const rest = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !rest) return null;
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return null;
  const all = [...head, ...new Array<number>(fill).fill(0), ...rest];
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  if (tail) out.set(tail, 12);
  return out;
}

/** "a.b.c.d:port" or "[v6]:port"; the port may be left out ("0.0.0.0", a wildcard's port 0). */
export function parseEndpoint(text: string): Endpoint | null {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    const addr = parseIPv6(v6[1]);
    const port = v6[2] === undefined ? 0 : Number(v6[2]);
    return addr && port <= 65535 ? { family: 'inet6', addr, port } : null;
  }
  const v4 = /^([\d.]+)(?::(\d+))?$/.exec(text);
  if (v4) {
    const addr = parseIPv4(v4[1]);
    const port = v4[2] === undefined ? 0 : Number(v4[2]);
    return addr && port <= 65535 ? { family: 'inet', addr, port } : null;
  }
  return null;
}

/** "2001:db8::/64" */
export function parsePrefix6(text: string): { addr: Uint8Array; plen: number } | null {
  const m = /^(.+)\/(\d{1,3})$/.exec(text);
  if (!m || Number(m[2]) > 128) return null;
  const addr = parseIPv6(m[1]);
  return addr ? { addr, plen: Number(m[2]) } : null;
}

/** A network-order 4-byte address as the u32 the kernel loads from memory (__be32 on little endian). */
export function be32Value(addr: Uint8Array, at = 0): number {
  return (addr[at] | (addr[at + 1] << 8) | (addr[at + 2] << 16) | (addr[at + 3] << 24)) >>> 0;
}

/** htons(): the __be16 a little-endian kernel stores for a port */
export function htons(port: number): number { return ((port & 0xff) << 8) | ((port >> 8) & 0xff); }

export function isV4Mapped(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}
