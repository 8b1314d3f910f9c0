// SPDX-License-Identifier: GPL-2.0
/*
 * zeta-cache: an example of kobjects in sysfs for kobject-lifetime. A cache object embeds a
 * kobject and exposes attributes under a parent directory.
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

struct zeta_cache {
	unsigned int size;
	unsigned long *slots;
	struct kobject kobj;
};

static void zeta_cache_release(struct kobject *kobj)
{
	struct zeta_cache *c = container_of(kobj, struct zeta_cache, kobj);

	kfree(c->slots);
	kfree(c);
}

static const struct kobj_type zeta_cache_ktype = {
	.release = zeta_cache_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

/* Bug: the slots allocation fails before kobject_init_and_add(): the put WARNs and leaks. */
static struct zeta_cache *zeta_cache_create(struct kobject *parent, unsigned int size)
{
	struct zeta_cache *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;

	c->slots = kcalloc(size, sizeof(*c->slots), GFP_KERNEL);
	if (!c->slots)
		goto err_put;

	c->size = size;
	if (kobject_init_and_add(&c->kobj, &zeta_cache_ktype, parent, "cache-%u", size))
		goto err_put;

	return c;

err_put:
	kobject_put(&c->kobj);
	return NULL;
}

/* Bug: the release already freed the container when the put was the last one. */
static void zeta_cache_destroy(struct zeta_cache *c)
{
	kobject_del(&c->kobj);
	kobject_put(&c->kobj);
	kfree(c);
}

/* Correct: init early so that every error path can put, add late. */
static struct zeta_cache *zeta_cache_create_fixed(struct kobject *parent, unsigned int size)
{
	struct zeta_cache *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;

	kobject_init(&c->kobj, &zeta_cache_ktype);
	c->slots = kcalloc(size, sizeof(*c->slots), GFP_KERNEL);
	if (!c->slots)
		goto err_put;

	c->size = size;
	if (kobject_add(&c->kobj, parent, "cache-%u", size))
		goto err_put;

	return c;

err_put:
	kobject_put(&c->kobj);
	return NULL;
}
