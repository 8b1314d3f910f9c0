// SPDX-License-Identifier: GPL-2.0
/*
 * A live patch module, fix 1: unchanged from the original; the patch object is static data of this
 * module again, but no kobject lives inside it: the core owns the kobject, and the callbacks look
 * the patch up instead of converting the kobject into it.
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
