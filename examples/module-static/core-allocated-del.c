// SPDX-License-Identifier: GPL-2.0
/*
 * sprig, done right: the core allocates the kobject (kobject_create_and_add()) and frees it in
 * its own release, and the module's state lives in ordinary static variables. module_exit calls
 * kobject_del() first, which removes /sys/kernel/sprig/level and waits for running
 * level_show()/level_store() calls; whenever the final put's cleanup runs, it touches only core
 * memory and core code.
 */
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

static struct kobject *sprig_kobj;
static unsigned int sprig_level;
static char *sprig_label;

static ssize_t level_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", sprig_level);
}

static ssize_t level_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	int ret;

	ret = kstrtouint(buf, 0, &sprig_level);
	return ret ? ret : count;
}

static struct kobj_attribute sprig_level_attr = __ATTR_RW(level);

static struct attribute *sprig_attrs[] = {
	&sprig_level_attr.attr,
	NULL,
};

static const struct attribute_group sprig_group = {
	.attrs = sprig_attrs,
};

static int __init sprig_init(void)
{
	int ret;

	sprig_label = kstrdup("sprig", GFP_KERNEL);
	sprig_kobj = kobject_create_and_add("sprig", kernel_kobj);
	if (!sprig_kobj) {
		kfree(sprig_label);
		return -ENOMEM;
	}

	ret = sysfs_create_group(sprig_kobj, &sprig_group);
	if (ret) {
		kobject_put(sprig_kobj);
		kfree(sprig_label);
	}
	return ret;
}

static void __exit sprig_exit(void)
{
	kobject_del(sprig_kobj);	/* the files are gone and no callback is running */
	kobject_put(sprig_kobj);	/* the core's release frees the kobject, whenever it runs */
	kfree(sprig_label);
}

module_init(sprig_init);
module_exit(sprig_exit);
MODULE_DESCRIPTION("sprig: a core-allocated kobject, deleted before the put");
MODULE_LICENSE("GPL");
