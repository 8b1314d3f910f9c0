// SPDX-License-Identifier: GPL-2.0
/*
 * Live patching core (built into the kernel), fix 3: the core allocates the patch object and its
 * release frees it. Module code and data never hold the object's memory, so whenever the (possibly
 * delayed) cleanup runs, it touches only core memory and core code.
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

	kfree(patch);
}

static const struct kobj_type klp_ktype_patch = {
	.release = klp_kobj_release_patch,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = klp_patch_groups,
};

struct klp_patch *klp_create_patch(struct module *mod)
{
	struct klp_patch *patch;
	int ret;

	patch = kzalloc(sizeof(*patch), GFP_KERNEL);
	if (!patch)
		return ERR_PTR(-ENOMEM);
	patch->mod = mod;
	mutex_lock(&klp_mutex);
	ret = kobject_init_and_add(&patch->kobj, &klp_ktype_patch, klp_root_kobj, "%s", mod->name);
	if (ret) {
		mutex_unlock(&klp_mutex);
		kobject_put(&patch->kobj);
		return ERR_PTR(ret);
	}
	list_add_tail(&patch->list, &klp_patches);
	mutex_unlock(&klp_mutex);
	return patch;
}

void klp_unregister_patch(struct klp_patch *patch)
{
	mutex_lock(&klp_mutex);
	list_del(&patch->list);
	kobject_put(&patch->kobj);
	mutex_unlock(&klp_mutex);
}

static int __init klp_init(void)
{
	klp_root_kobj = kobject_create_and_add("livepatch", kernel_kobj);
	if (!klp_root_kobj)
		return -ENOMEM;
	return 0;
}
core_initcall(klp_init);
