/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __BPF_COMPILER_H_
#define __BPF_COMPILER_H_

#ifndef __section
# define __section(X)		__attribute__((section(X), used))
#endif
#ifndef __always_inline
# define __always_inline	inline __attribute__((always_inline))
#endif
#define __ksym			__attribute__((section(".ksyms")))

#define BPF_LICENSE(NAME)	char ____license[] __section("license") = NAME

#endif
