/**
 * The values libbpf gives `extern ... __kconfig` variables (the .kconfig map) on the simulated kernel.
 * libbpf reads them from the running kernel's /proc/config.gz (bpf_object__read_kconfig_file()) and provides
 * LINUX_KERNEL_VERSION itself from uname (get_kernel_version()); these are the ones of the machine the BTF
 * tables were generated on (Linux 6.18.44-fc-v1272, its /proc/config.gz). A name the configuration does not
 * set reads as libbpf leaves it: 0 (a __weak extern; a strong one fails the load, which the checker does not model).
 */
import { KERNEL_BTF_RELEASE } from './btfTable';

type KconfigValue = { kind: 'tristate'; value: 'y' | 'm' } | { kind: 'number'; value: bigint } | { kind: 'string'; value: string };

const y: KconfigValue = { kind: 'tristate', value: 'y' };
const num = (value: number): KconfigValue => ({ kind: 'number', value: BigInt(value) });

/** A few options programs read (timers, feature tests), as /proc/config.gz sets them on that machine. */
const CONFIG: Readonly<Record<string, KconfigValue>> = {
  CONFIG_HZ: num(250), CONFIG_HZ_250: y, CONFIG_NR_CPUS: num(256), CONFIG_PAGE_SHIFT: num(12),
  CONFIG_64BIT: y, CONFIG_X86_64: y, CONFIG_SMP: y, CONFIG_PREEMPT_NONE: y,
  CONFIG_BPF_SYSCALL: y, CONFIG_BPF_JIT: y, CONFIG_BPF_EVENTS: y, CONFIG_DEBUG_INFO_BTF: y,
  CONFIG_CGROUPS: y, CONFIG_NET: y, CONFIG_IPV6: y, CONFIG_KALLSYMS: y, CONFIG_UPROBES: y,
  CONFIG_ARCH_HAS_SYSCALL_WRAPPER: y,
  CONFIG_LOCALVERSION: { kind: 'string', value: '-fc-v1272' },
};

/** CONFIG_HZ of the simulated kernel: the tick jiffies count. */
export const KERNEL_HZ = Number((CONFIG.CONFIG_HZ as { value: bigint }).value);

/** mirrors get_kernel_version(): KERNEL_VERSION(major, minor, min(patch, 255)) of the release. */
function linuxKernelVersion(release: string): bigint {
  const [major, minor, patch] = release.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  return BigInt((major << 16) + (minor << 8) + Math.min(patch, 255));
}

function valueOf(name: string): KconfigValue | undefined {
  if (name === 'LINUX_KERNEL_VERSION') return { kind: 'number', value: linuxKernelVersion(KERNEL_BTF_RELEASE) };
  // mirrors libbpf's kallsyms/feature probes for these two: the 6.18 kernel has both
  if (name === 'LINUX_HAS_BPF_COOKIE' || name === 'LINUX_HAS_SYSCALL_WRAPPER') return y;
  return CONFIG[name];
}

/**
 * The bytes of `.kconfig` variable `name` of `size` bytes, as libbpf's set_kcfg_value_tri()/_num()/_str()
 * write them (little-endian; a tristate is 1 for y and 2 for m), or undefined when it stays 0.
 */
export function kconfigBytes(name: string, size: number): Uint8Array | undefined {
  const v = valueOf(name);
  if (!v || size <= 0) return undefined;
  const out = new Uint8Array(size);
  if (v.kind === 'string') {
    const text = new TextEncoder().encode(v.value);
    out.set(text.subarray(0, Math.max(0, size - 1)));
    return out;
  }
  let n = v.kind === 'tristate' ? (v.value === 'y' ? 1n : 2n) : v.value;
  for (let i = 0; i < Math.min(size, 8); i++) { out[i] = Number(n & 0xffn); n >>= 8n; }
  return out;
}
