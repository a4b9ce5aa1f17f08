#ifndef __LATMON_H
#define __LATMON_H

#define LATMON_SLOTS 8

struct latmon_hist {
	__u64 slots[LATMON_SLOTS];
};

#endif /* __LATMON_H */
