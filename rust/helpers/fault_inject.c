// SPDX-License-Identifier: GPL-2.0

#include <linux/sched.h>

#ifdef CONFIG_FAULT_INJECTION
__rust_helper void rust_helper_fault_inject_set_fail_nth(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

__rust_helper unsigned int rust_helper_fault_inject_get_fail_nth(void)
{
	return READ_ONCE(current->fail_nth);
}
#endif
