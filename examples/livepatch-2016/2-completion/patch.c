// SPDX-License-Identifier: GPL-2.0
/*
 * A live patch module, fix 2: unchanged from the original; klp_unregister_patch() now returns only
 * after the core's release has run, so the static patch object outlives its kobject.
 */
#include <linux/module.h>
#include "livepatch.h"

static struct klp_patch patch = {
	.mod = THIS_MODULE,
};

static int livepatch_init(void)
{
	return klp_register_patch(&patch);
}

static void livepatch_exit(void)
{
	klp_unregister_patch(&patch);
}

module_init(livepatch_init);
module_exit(livepatch_exit);
MODULE_LICENSE("GPL");
