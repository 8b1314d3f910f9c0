/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fix 1: the patch keeps a pointer to a kobject the core creates (kobject_create_and_add(), released
 * by the kobject core itself); the sysfs callbacks find the patch by looking it up.
 */
#ifndef _LIVEPATCH_H
#define _LIVEPATCH_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>

struct klp_patch {
	struct module *mod;
	struct list_head list;
	struct kobject *kobj;
	bool enabled;
};

int klp_register_patch(struct klp_patch *patch);
void klp_unregister_patch(struct klp_patch *patch);

#endif /* _LIVEPATCH_H */
