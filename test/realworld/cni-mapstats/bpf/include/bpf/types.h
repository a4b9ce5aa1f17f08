/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __BPF_TYPES_H_
#define __BPF_TYPES_H_

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;

#endif
