/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The livepatch interface as it was in 2016 (reduced to the part that matters for the object's
 * lifetime): the patch module owns a struct klp_patch that embeds its kobject; the core registers it
 * in sysfs (/sys/kernel/livepatch/<module>/enabled) and drops it again at unregister.
 */
#ifndef _LIVEPATCH_H
#define _LIVEPATCH_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/completion.h>

struct klp_patch {
	struct module *mod;
	struct list_head list;
	struct kobject kobj;
	bool enabled;
	struct completion finish;
};

int klp_register_patch(struct klp_patch *patch);
void klp_unregister_patch(struct klp_patch *patch);

#endif /* _LIVEPATCH_H */
