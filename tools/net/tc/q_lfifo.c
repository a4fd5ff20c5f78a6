// SPDX-License-Identifier: GPL-2.0
/*
 * q_lfifo.so: tc's option parser and printer for the lfifo qdisc
 * (net/sched/sch_lfifo.rs), loaded by tc from $TC_LIB_DIR:
 *
 *	tc qdisc add dev DEV root lfifo [ limit PACKETS ]
 *	tc qdisc add dev DEV root lfifo_nobypass [ limit PACKETS ]
 *
 * tc looks up the symbol lfifo_qdisc_util and calls back into its own
 * exported functions (tc is linked with -export-dynamic), declared in
 * iproute2.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "iproute2.h"

/* The options lfifo takes: nested in TCA_OPTIONS (see sch_lfifo.rs). */
enum {
	TCA_LFIFO_UNSPEC,
	TCA_LFIFO_LIMIT,	/* u32: the most packets queued */
	__TCA_LFIFO_MAX,
};
#define TCA_LFIFO_MAX (__TCA_LFIFO_MAX - 1)
#define LFIFO_LIMIT_MAX 65536

static void explain(void)
{
	fprintf(stderr, "Usage: ... lfifo [ limit PACKETS ]\n"
		"  PACKETS: 1 to %u; the default is the device's txqueuelen\n",
		LFIFO_LIMIT_MAX);
}

static int lfifo_parse_opt(struct qdisc_util *qu, int argc, char **argv,
			   struct nlmsghdr *n, const char *dev)
{
	bool have_limit = false;
	struct rtattr *tail;
	__u32 limit = 0;

	while (argc > 0) {
		if (strcmp(*argv, "help") == 0) {
			explain();
			return -1;
		}
		if (strcmp(*argv, "limit") != 0) {
			fprintf(stderr, "lfifo: unknown parameter \"%s\"\n", *argv);
			explain();
			return -1;
		}
		if (argc < 2 || get_u32(&limit, argv[1], 0)) {
			fprintf(stderr, "lfifo: illegal \"limit\"\n");
			return -1;
		}
		have_limit = true;
		argc -= 2;
		argv += 2;
	}
	/* The kernel checks the range, and says why in its extack. */
	tail = addattr_nest(n, TCA_BUF_MAX, TCA_OPTIONS | NLA_F_NESTED);
	if (have_limit)
		addattr_l(n, TCA_BUF_MAX, TCA_LFIFO_LIMIT, &limit, sizeof(limit));
	addattr_nest_end(n, tail);
	return 0;
}

static int lfifo_print_opt(struct qdisc_util *qu, FILE *f, struct rtattr *opt)
{
	struct rtattr *tb[TCA_LFIFO_MAX + 1];

	if (!opt)
		return 0;
	memset(tb, 0, sizeof(tb));
	parse_rtattr_flags(tb, TCA_LFIFO_MAX, RTA_DATA(opt), RTA_PAYLOAD(opt),
			   NLA_F_NESTED);
	if (tb[TCA_LFIFO_LIMIT] &&
	    RTA_PAYLOAD(tb[TCA_LFIFO_LIMIT]) >= sizeof(__u32)) {
		__u32 limit;

		memcpy(&limit, RTA_DATA(tb[TCA_LFIFO_LIMIT]), sizeof(limit));
		print_color_uint(PRINT_ANY, COLOR_NONE, "limit", "limit %up ",
				 limit);
	}
	return 0;
}

struct qdisc_util lfifo_qdisc_util = {
	.id		= "lfifo",
	.parse_qopt	= lfifo_parse_opt,
	.print_qopt	= lfifo_print_opt,
};

/* The same queue without the bypass: tc finds it as q_lfifo_nobypass.so, a link to this file. */
struct qdisc_util lfifo_nobypass_qdisc_util = {
	.id		= "lfifo_nobypass",
	.parse_qopt	= lfifo_parse_opt,
	.print_qopt	= lfifo_print_opt,
};
