/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __BPF_HELPERS_H_
#define __BPF_HELPERS_H_

#include "types.h"

struct seq_file;

/* Helper numbers from enum bpf_func_id in include/uapi/linux/bpf.h. */
static long (*seq_printf)(struct seq_file *m, const char *fmt, __u32 fmt_size,
			  const void *data, __u32 data_len) = (void *)126;

#endif
