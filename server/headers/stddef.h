/* bpf-iter-lab fallback <stddef.h> for -target bpf: used only when clang's own headers are not found. */
#ifndef BPF_ITER_LAB_STDDEF_H
#define BPF_ITER_LAB_STDDEF_H
typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;
typedef __WCHAR_TYPE__ wchar_t;
#ifndef NULL
#define NULL ((void *)0)
#endif
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
