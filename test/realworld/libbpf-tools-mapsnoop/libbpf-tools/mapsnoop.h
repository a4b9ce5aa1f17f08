/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __MAPSNOOP_H
#define __MAPSNOOP_H

#define TASK_COMM_LEN 16
#define MAP_NAME_LEN 16

#endif /* __MAPSNOOP_H */
