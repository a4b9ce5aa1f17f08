/* bpf-iter-lab fallback <stdbool.h>: used only when neither clang's own headers nor a -I folder has one. */
#ifndef BPF_ITER_LAB_STDBOOL_H
#define BPF_ITER_LAB_STDBOOL_H
#define bool _Bool
#define true 1
#define false 0
#define __bool_true_false_are_defined 1
#endif
