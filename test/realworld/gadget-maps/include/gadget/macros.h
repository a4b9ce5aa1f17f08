/* Helpers every gadget of this collection uses. */
#ifndef GADGET_MACROS_H
#define GADGET_MACROS_H

#define GADGET_LICENSE char __gadget_license[] SEC("license") = "GPL"

/* A map belongs to the gadgets when its name starts with "gd". */
#define GADGET_OWNS(map) ((map)->name[0] == 'g' && (map)->name[1] == 'd')

#endif
