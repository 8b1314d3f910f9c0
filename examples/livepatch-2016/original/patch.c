// SPDX-License-Identifier: GPL-2.0
/*
 * A live patch module, 2016 shape: the patch object is static data of this module; init registers
 * it with the core, exit unregisters it. Nothing waits for the kobject's cleanup before the module's
 * memory is freed.
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
