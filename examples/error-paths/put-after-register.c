// SPDX-License-Identifier: GPL-2.0
/*
 * The same driver done right: when device_register() fails, put_device() drops the reference the
 * registration's initialization took, and the release frees the memory (and the name).
 */
#include <linux/device.h>
#include <linux/slab.h>

struct gizmo {
	struct device dev;
	int id;
};

static void gizmo_release(struct device *dev)
{
	kfree(container_of(dev, struct gizmo, dev));
}

static int gizmo_create(struct device *parent, int id)
{
	struct gizmo *g;
	int ret;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->id = id;
	g->dev.parent = parent;
	g->dev.release = gizmo_release;
	dev_set_name(&g->dev, "gizmo%d", id);
	ret = device_register(&g->dev);
	if (ret) {
		put_device(&g->dev);
		return ret;
	}
	return 0;
}
