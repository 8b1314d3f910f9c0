/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fix 3: the core allocates the patch object (and frees it in the release); the module only keeps a
 * pointer to it.
 */
#ifndef _LIVEPATCH_H
#define _LIVEPATCH_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>

struct klp_patch {
	struct module *mod;
	struct list_head list;
	struct kobject kobj;
	bool enabled;
};

struct klp_patch *klp_create_patch(struct module *mod);
void klp_unregister_patch(struct klp_patch *patch);

#endif /* _LIVEPATCH_H */
