/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared bits of the ss-like socket dumpers: address families and the TCP state names ss prints. */
#ifndef SS_COMMON_H
#define SS_COMMON_H

#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10

#define SS_LISTEN	10
#define SS_TIME_WAIT	6
#define SS_NEW_SYN_RECV	12

static __always_inline const char *tcp_state_name(int state)
{
	switch (state) {
	case 1: return "ESTAB";
	case 2: return "SYN-SENT";
	case 3: return "SYN-RECV";
	case 4: return "FIN-WAIT-1";
	case 5: return "FIN-WAIT-2";
	case 6: return "TIME-WAIT";
	case 7: return "UNCONN";
	case 8: return "CLOSE-WAIT";
	case 9: return "LAST-ACK";
	case 10: return "LISTEN";
	case 11: return "CLOSING";
	case 12: return "NEW-SYN-RECV";
	}
	return "UNKNOWN";
}

#endif
