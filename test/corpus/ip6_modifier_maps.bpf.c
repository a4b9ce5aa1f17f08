// SPDX-License-Identifier: GPL-2.0 OR MIT
// Loads and prints the full address: bpf_bprintf_prepare() formats an IP address with its own two-letter spec, and
// bstr_printf() skips the letters after a %p conversion, so printk's `c` (compressed IPv6) and `h` do nothing here.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u8 addr6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const volatile __u8 addr4[4] = { 192, 168, 0, 1 };

SEC("iter/bpf_map")
int show_ip6(struct bpf_iter__bpf_map *ctx)
{
	if (ctx->map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "[%pI6c]:%u %pI4h\n", addr6, 53, addr4);
	return 0;
}
