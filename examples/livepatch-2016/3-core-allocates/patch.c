// SPDX-License-Identifier: GPL-2.0
/*
 * A live patch module, fix 3: the core allocates the patch object; this module only keeps a pointer
 * to it. Exit drops the module's reference; the core's release frees the object whenever the last
 * reference goes, module or no module.
 */
#include <linux/err.h>
#include <linux/module.h>
#include "livepatch.h"

static struct klp_patch *patch;

static int livepatch_init(void)
{
	patch = klp_create_patch(THIS_MODULE);
	if (IS_ERR(patch))
		return PTR_ERR(patch);
	return 0;
}

static void livepatch_exit(void)
{
	klp_unregister_patch(patch);
}

module_init(livepatch_init);
module_exit(livepatch_exit);
MODULE_LICENSE("GPL");
