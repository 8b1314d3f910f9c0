// SPDX-License-Identifier: GPL-2.0
/*
 * acme-sensor: an example driver for kobject-lifetime. Each sensor channel is a struct device
 * embedded in a heap-allocated container. Some functions below have lifetime bugs on purpose;
 * run `npm start` (or open this folder in VS Code with the extension) to see them reported.
 */
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/err.h>

struct acme_sensor {
	int channel;
	u32 threshold;
	struct device dev;
};

static void acme_sensor_release(struct device *dev)
{
	kfree(container_of(dev, struct acme_sensor, dev));
}

/* Bug: device_register() failed, but the device is initialized: kfree() bypasses the release. */
static struct acme_sensor *acme_sensor_create(struct device *parent, int channel)
{
	struct acme_sensor *s;
	int ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);

	s->channel = channel;
	s->dev.parent = parent;
	s->dev.release = acme_sensor_release;
	dev_set_name(&s->dev, "sensor%d", channel);

	ret = device_register(&s->dev);
	if (ret)
		goto err_free;

	return s;

err_free:
	kfree(s);
	return ERR_PTR(ret);
}

/* Bug: the error path returns without put_device(): the device and its name leak. */
static struct acme_sensor *acme_sensor_create_quiet(struct device *parent, int channel)
{
	struct acme_sensor *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;

	s->channel = channel;
	s->dev.parent = parent;
	s->dev.release = acme_sensor_release;
	dev_set_name(&s->dev, "sensor%d", channel);

	if (device_register(&s->dev))
		return NULL;

	return s;
}

/* Bug: the log line reads the device after the put that freed it. */
static void acme_sensor_destroy(struct acme_sensor *s)
{
	device_unregister(&s->dev);
	dev_info(&s->dev, "channel %d removed\n", s->channel);
}

/* Correct: put_device() on the error path, the release frees the container. */
static struct acme_sensor *acme_sensor_create_fixed(struct device *parent, int channel)
{
	struct acme_sensor *s;
	int ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);

	s->channel = channel;
	s->dev.parent = parent;
	s->dev.release = acme_sensor_release;
	dev_set_name(&s->dev, "sensor%d", channel);

	ret = device_register(&s->dev);
	if (ret) {
		put_device(&s->dev);
		return ERR_PTR(ret);
	}
	return s;
}

/* Bug: the reference taken by the lookup is dropped twice. */
static int acme_sensor_poke(const struct bus_type *bus, const char *name)
{
	struct device *dev __free(put_device) = bus_find_device_by_name(bus, NULL, name);

	if (!dev)
		return -ENODEV;

	dev_dbg(dev, "poked\n");
	put_device(dev);
	return 0;
}

/* Bug: the busy path returns an error and forgets the reference bus_find_device_by_name() took. */
static int acme_sensor_reset_by_name(const struct bus_type *bus, const char *name)
{
	struct device *dev = bus_find_device_by_name(bus, NULL, name);
	struct acme_sensor *s;

	if (!dev)
		return -ENODEV;

	s = container_of(dev, struct acme_sensor, dev);
	if (s->threshold)
		return -EBUSY;

	s->threshold = 0;
	put_device(dev);
	return 0;
}

/* Bug: a refcounted device inside devres memory, which is freed at unbind regardless. */
static int acme_sensor_probe_channel(struct device *parent, int channel)
{
	struct acme_sensor *s;

	s = devm_kzalloc(parent, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;

	s->channel = channel;
	s->dev.parent = parent;
	s->dev.release = acme_sensor_release;
	device_initialize(&s->dev);
	dev_set_name(&s->dev, "sensor%d", channel);
	if (device_add(&s->dev)) {
		put_device(&s->dev);
		return -EIO;
	}
	return 0;
}
