// SPDX-License-Identifier: GPL-2.0
/*
 * Live patching core (built into the kernel), fix 2: the patch object stays in the module, but the
 * release (core code) signals a completion and unregister waits for it after the put, so the module
 * cannot go away before kobject_cleanup() is done with the object. This is what livepatch shipped.
 */
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include "livepatch.h"

static LIST_HEAD(klp_patches);
static DEFINE_MUTEX(klp_mutex);
static struct kobject *klp_root_kobj;

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct klp_patch *patch = container_of(kobj, struct klp_patch, kobj);

	return snprintf(buf, PAGE_SIZE, "%d\n", patch->enabled);
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct klp_patch *patch = container_of(kobj, struct klp_patch, kobj);
	bool enable;
	int ret;

	ret = kstrtobool(buf, &enable);
	if (ret)
		return ret;
	mutex_lock(&klp_mutex);
	patch->enabled = enable;
	mutex_unlock(&klp_mutex);
	return count;
}

static struct kobj_attribute enabled_kobj_attr = __ATTR_RW(enabled);

static struct attribute *klp_patch_attrs[] = {
	&enabled_kobj_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(klp_patch);

static void klp_kobj_release_patch(struct kobject *kobj)
{
	struct klp_patch *patch = container_of(kobj, struct klp_patch, kobj);

	complete(&patch->finish);
}

static const struct kobj_type klp_ktype_patch = {
	.release = klp_kobj_release_patch,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = klp_patch_groups,
};

int klp_register_patch(struct klp_patch *patch)
{
	int ret;

	init_completion(&patch->finish);
	mutex_lock(&klp_mutex);
	ret = kobject_init_and_add(&patch->kobj, &klp_ktype_patch, klp_root_kobj, "%s",
				   patch->mod->name);
	if (ret) {
		kobject_put(&patch->kobj);
		mutex_unlock(&klp_mutex);
		return ret;
	}
	list_add_tail(&patch->list, &klp_patches);
	mutex_unlock(&klp_mutex);
	return 0;
}

void klp_unregister_patch(struct klp_patch *patch)
{
	mutex_lock(&klp_mutex);
	list_del(&patch->list);
	mutex_unlock(&klp_mutex);
	kobject_put(&patch->kobj);
	wait_for_completion(&patch->finish);
}

static int __init klp_init(void)
{
	klp_root_kobj = kobject_create_and_add("livepatch", kernel_kobj);
	if (!klp_root_kobj)
		return -ENOMEM;
	return 0;
}
core_initcall(klp_init);
