/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a tc plugin uses of iproute2 6.x: the plugin's descriptor
 * (tc/tc_util.h) and the functions tc exports to plugins
 * (include/libnetlink.h, include/utils.h, include/json_print.h,
 * include/color.h). iproute2 installs no headers for plugins; these are
 * 6.1's, whose ABI 6.x keeps, and the Makefile refuses another major
 * version.
 */
#ifndef BULKNET_IPROUTE2_H
#define BULKNET_IPROUTE2_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/rtnetlink.h>

/* tc's buffer for a request (tc/tc_qdisc.c: struct { ...; char buf[TCA_BUF_MAX]; }). */
#define TCA_BUF_MAX (64 * 1024)

struct qdisc_util {
	struct qdisc_util *next;
	const char *id;
	int (*parse_qopt)(struct qdisc_util *qu, int argc, char **argv,
			  struct nlmsghdr *n, const char *dev);
	int (*print_qopt)(struct qdisc_util *qu, FILE *f, struct rtattr *opt);
	int (*print_xstats)(struct qdisc_util *qu, FILE *f, struct rtattr *xstats);
	int (*parse_copt)(struct qdisc_util *qu, int argc, char **argv,
			  struct nlmsghdr *n, const char *dev);
	int (*print_copt)(struct qdisc_util *qu, FILE *f, struct rtattr *opt);
	int (*has_block)(struct qdisc_util *qu, struct rtattr *opt,
			 __u32 block_idx, bool *p_has);
};

enum output_type { PRINT_FP = 1, PRINT_JSON = 2, PRINT_ANY = 4 };
enum color_attr { COLOR_NONE = 6 };

int get_u32(__u32 *val, const char *arg, int base);
int addattr_l(struct nlmsghdr *n, int maxlen, int type, const void *data,
	      int alen);
struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type);
int addattr_nest_end(struct nlmsghdr *n, struct rtattr *nest);
int parse_rtattr_flags(struct rtattr *tb[], int max, struct rtattr *rta,
		       int len, unsigned short flags);
int print_color_uint(enum output_type type, enum color_attr color,
		     const char *key, const char *fmt, unsigned int value);

#endif /* BULKNET_IPROUTE2_H */
