// SPDX-License-Identifier: GPL-2.0
/*
 * widget-bus: an example for kobject-lifetime's release rules. Widgets are devices on a small bus;
 * each has a statistics kobject. Three releases below are wrong on purpose.
 */
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/slab.h>

struct widget {
	int id;
	const char *label;
	struct device dev;
};

struct widget_stats {
	unsigned long hits;
	struct kobject kobj;
};

/* Bug: dev is not the first member of struct widget: kfree(dev) frees the middle of it. */
static void widget_release(struct device *dev)
{
	kfree(dev);
}

/* Bug: this release never frees the container. */
static void widget_stats_release(struct kobject *kobj)
{
	pr_debug("widget stats released\n");
}

static const struct kobj_type widget_stats_ktype = {
	.release = widget_stats_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

/* Bug: no .release at all: objects of this type can never be freed. */
static const struct kobj_type widget_group_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
};

static struct widget *widget_create(struct device *parent, int id)
{
	struct widget *w;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return NULL;

	w->id = id;
	w->dev.parent = parent;
	w->dev.release = widget_release;
	dev_set_name(&w->dev, "widget%d", id);
	if (device_register(&w->dev)) {
		put_device(&w->dev);
		return NULL;
	}
	return w;
}

static struct widget_stats *widget_stats_create(struct kobject *parent, int id)
{
	struct widget_stats *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;

	if (kobject_init_and_add(&s->kobj, &widget_stats_ktype, parent, "stats%d", id)) {
		kobject_put(&s->kobj);
		return NULL;
	}
	return s;
}

static struct kobject *widget_group_create(struct kobject *parent)
{
	struct kobject *k;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return NULL;

	if (kobject_init_and_add(k, &widget_group_ktype, parent, "groups")) {
		kobject_put(k);
		return NULL;
	}
	return k;
}
