// SPDX-License-Identifier: GPL-2.0
/*
 * Live patching core (built into the kernel), fix 1: the patch's kobject is a separate object the
 * core creates with kobject_create_and_add() (its release is the kobject core's own). The sysfs
 * callbacks never convert the kobject into the patch: they look the patch up among the registered
 * ones and return -EINVAL once it is gone (the existence check).
 */
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include "livepatch.h"

static LIST_HEAD(klp_patches);
static DEFINE_MUTEX(klp_mutex);
static struct kobject *klp_root_kobj;

/* Called with klp_mutex held. */
static struct klp_patch *klp_find_patch(struct kobject *kobj)
{
	struct klp_patch *patch;

	list_for_each_entry(patch, &klp_patches, list)
		if (patch->kobj == kobj)
			return patch;
	return NULL;
}

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct klp_patch *patch;
	ssize_t ret = -EINVAL;

	mutex_lock(&klp_mutex);
	patch = klp_find_patch(kobj);
	if (patch)
		ret = snprintf(buf, PAGE_SIZE, "%d\n", patch->enabled);
	mutex_unlock(&klp_mutex);
	return ret;
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct klp_patch *patch;
	bool enable;
	int ret;

	ret = kstrtobool(buf, &enable);
	if (ret)
		return ret;
	mutex_lock(&klp_mutex);
	patch = klp_find_patch(kobj);
	if (patch)
		patch->enabled = enable;
	mutex_unlock(&klp_mutex);
	return patch ? count : -EINVAL;
}

static struct kobj_attribute enabled_kobj_attr = __ATTR_RW(enabled);

static struct attribute *klp_patch_attrs[] = {
	&enabled_kobj_attr.attr,
	NULL,
};

static const struct attribute_group klp_patch_group = {
	.attrs = klp_patch_attrs,
};

int klp_register_patch(struct klp_patch *patch)
{
	int ret;

	mutex_lock(&klp_mutex);
	patch->kobj = kobject_create_and_add(patch->mod->name, klp_root_kobj);
	if (!patch->kobj) {
		mutex_unlock(&klp_mutex);
		return -ENOMEM;
	}
	ret = sysfs_create_group(patch->kobj, &klp_patch_group);
	if (ret) {
		kobject_put(patch->kobj);
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
	kobject_put(patch->kobj);
}

static int __init klp_init(void)
{
	klp_root_kobj = kobject_create_and_add("livepatch", kernel_kobj);
	if (!klp_root_kobj)
		return -ENOMEM;
	return 0;
}
core_initcall(klp_init);
