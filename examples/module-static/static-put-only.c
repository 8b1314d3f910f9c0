// SPDX-License-Identifier: GPL-2.0
/*
 * sprig: the module keeps its state in a static object that embeds a kobject, shows it in
 * /sys/kernel/sprig/level, and only drops its reference in module_exit. The cleanup may run
 * seconds after rmmod (CONFIG_DEBUG_KOBJECT_RELEASE, or another holder of a reference): until
 * then level_show()/level_store() can be called in the freed module, and the cleanup itself
 * reads the freed static object and calls the freed sprig_release().
 */
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

struct sprig_state {
	struct kobject kobj;
	unsigned int level;
	char *label;
};

static struct sprig_state sprig;

static ssize_t level_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct sprig_state *st = container_of(kobj, struct sprig_state, kobj);

	return sysfs_emit(buf, "%u\n", st->level);
}

static ssize_t level_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	struct sprig_state *st = container_of(kobj, struct sprig_state, kobj);
	int ret;

	ret = kstrtouint(buf, 0, &st->level);
	return ret ? ret : count;
}

static struct kobj_attribute sprig_level_attr = __ATTR_RW(level);

static struct attribute *sprig_attrs[] = {
	&sprig_level_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(sprig);

/* frees what the object owns; the object itself is module data and cannot be freed */
static void sprig_release(struct kobject *kobj)
{
	struct sprig_state *st = container_of(kobj, struct sprig_state, kobj);

	kfree(st->label);
	st->label = NULL;
}

static const struct kobj_type sprig_ktype = {
	.release	= sprig_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= sprig_groups,
};

static int __init sprig_init(void)
{
	int ret;

	sprig.label = kstrdup("sprig", GFP_KERNEL);
	ret = kobject_init_and_add(&sprig.kobj, &sprig_ktype, kernel_kobj, "sprig"); /* static-kobject: expected here */
	if (ret)
		kobject_put(&sprig.kobj);
	return ret;
}

static void __exit sprig_exit(void)
{
	kobject_put(&sprig.kobj); /* module-unload-race: expected here */
}

module_init(sprig_init);
module_exit(sprig_exit);
MODULE_DESCRIPTION("sprig: a module-static kobject, only put in module_exit");
MODULE_LICENSE("GPL");
