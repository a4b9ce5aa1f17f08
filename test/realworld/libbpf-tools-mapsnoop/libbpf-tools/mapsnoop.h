/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __MAPSNOOP_H
#define __MAPSNOOP_H

#define TASK_COMM_LEN 16
#define MAP_NAME_LEN 16

#endif /* __MAPSNOOP_H */
