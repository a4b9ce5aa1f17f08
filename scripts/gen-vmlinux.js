'use strict';
// Generates server/headers/vmlinux.h, the bundled fallback vmlinux.h: the whole vmlinux.h of this machine's Linux
// 6.18 kernel, exactly as `bpftool btf dump file /sys/kernel/btf/vmlinux format c` writes it (no header comment:
// the file stays byte-for-byte bpftool's, so the lazy index of server/src/lang/lazyHeader.ts applies to it and
// a regeneration diff shows only what the kernel changed). Refuses to run on another kernel series.
// Usage: node scripts/gen-vmlinux.js [path/to/vmlinux.h]   (a file made by that bpftool command elsewhere)
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SERIES = '6.18';
const out = path.join(__dirname, '..', 'server', 'headers', 'vmlinux.h');
let text;
if (process.argv[2]) {
  text = fs.readFileSync(process.argv[2], 'utf8');
} else {
  if (!os.release().startsWith(SERIES + '.')) {
    console.error(`gen-vmlinux: this kernel is ${os.release()}, not Linux ${SERIES}: pass a vmlinux.h made on a ${SERIES} kernel`);
    process.exit(1);
  }
  text = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 28 }).toString();
}
for (const needed of ['struct task_struct {', 'struct sock_common {', 'struct bpf_iter__ksym {', 'struct bpf_map {']) {
  if (!text.includes(needed)) { console.error(`gen-vmlinux: "${needed}" is missing: not a whole vmlinux.h`); process.exit(1); }
}
fs.writeFileSync(out, text);
const definitions = (text.match(/^(struct|union|enum|typedef)\b/gm) || []).length;
console.log(`server/headers/vmlinux.h: ${text.length} bytes, ${definitions} top-level declarations (kernel ${process.argv[2] ? 'from ' + process.argv[2] : os.release()})`);
