// SPDX-License-Identifier: GPL-2.0
/*
 * A driver's error path that frees a device whose registration failed with kfree(). Once
 * device_register() has run, the device is refcounted (and named) even when it fails: only
 * put_device() may end it, through the release.
 */
#include <linux/device.h>
#include <linux/slab.h>

struct gadget {
	struct device dev;
	int id;
};

static void gadget_release(struct device *dev)
{
	kfree(container_of(dev, struct gadget, dev));
}

static int gadget_create(struct device *parent, int id)
{
	struct gadget *g;
	int ret;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->id = id;
	g->dev.parent = parent;
	g->dev.release = gadget_release;
	dev_set_name(&g->dev, "gadget%d", id);
	ret = device_register(&g->dev);
	if (ret) {
		kfree(g);
		return ret;
	}
	return 0;
}
