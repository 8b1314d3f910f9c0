// A generated corpus of driver-shaped C for warming the analyzer up before the first real file: the
// JavaScript engine compiles hot code only after running it, and web-tree-sitter's wasm tiers up the
// same way, so a language server that analyzes this once at start-up answers the user's first file in
// a fraction of the cold time. Deterministic: the same text every time.

const TEMPLATES: readonly ((n: string) => string)[] = [
  // Registration with a goto ladder, the error path putting what it registered.
  (n) => `
struct widget_${n} {
	struct device dev;
	struct list_head node;
	int id;
	unsigned long flags;
};

static void widget_${n}_release(struct device *dev)
{
	struct widget_${n} *w = container_of(dev, struct widget_${n}, dev);

	kfree(w);
}

static int widget_${n}_probe(struct platform_device *pdev)
{
	struct widget_${n} *w;
	int ret, i;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	device_initialize(&w->dev);
	w->dev.parent = &pdev->dev;
	w->dev.release = widget_${n}_release;
	ret = dev_set_name(&w->dev, "widget%d", w->id);
	if (ret)
		goto err_put;
	for (i = 0; i < 4; i++) {
		if (test_bit(i, &w->flags))
			continue;
		w->id += i;
	}
	ret = device_add(&w->dev);
	if (ret) {
		dev_err(&pdev->dev, "cannot add: %d\\n", ret);
		goto err_put;
	}
	platform_set_drvdata(pdev, w);
	return 0;

err_put:
	put_device(&w->dev);
	return ret;
}
`,
  // kobject with a ktype, show/store callbacks and an error path.
  (n) => `
struct bank_${n} {
	struct kobject kobj;
	int level;
	char *label;
};

static ssize_t level_${n}_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct bank_${n} *b = container_of(kobj, struct bank_${n}, kobj);

	return sysfs_emit(buf, "%d\\n", b->level);
}

static ssize_t level_${n}_store(struct kobject *kobj, struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	struct bank_${n} *b = container_of(kobj, struct bank_${n}, kobj);
	int ret = kstrtoint(buf, 10, &b->level);

	return ret ? ret : count;
}

static void bank_${n}_release(struct kobject *kobj)
{
	struct bank_${n} *b = container_of(kobj, struct bank_${n}, kobj);

	kfree(b->label);
	kfree(b);
}

static const struct kobj_type bank_${n}_ktype = {
	.release = bank_${n}_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

struct bank_${n} *bank_${n}_create(struct kobject *parent, int level)
{
	struct bank_${n} *b;
	int err;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->level = level;
	err = kobject_init_and_add(&b->kobj, &bank_${n}_ktype, parent, "bank%d", level);
	if (err) {
		kobject_put(&b->kobj);
		return ERR_PTR(err);
	}
	kobject_uevent(&b->kobj, KOBJ_ADD);
	return b;
}

void bank_${n}_destroy(struct bank_${n} *b)
{
	if (!b)
		return;
	kobject_del(&b->kobj);
	kobject_put(&b->kobj);
}
`,
  // Lookups in a loop and a switch, references dropped on every path.
  (n) => `
static int scan_${n}(struct bus_type *bus, const char *name, int mode)
{
	struct device *dev;
	struct device_node *np;
	int found = 0;

	dev = bus_find_device_by_name(bus, NULL, name);
	if (!dev)
		return -ENODEV;
	switch (mode) {
	case 0:
		found = dev->id;
		break;
	case 1:
		if (dev->driver)
			found = 1;
		fallthrough;
	default:
		found += 2;
		break;
	}
	for_each_child_of_node(dev->of_node, np) {
		if (of_device_is_available(np))
			found++;
	}
	put_device(dev);
	return found;
}

static void session_${n}_free(struct kref *kref)
{
	struct session_${n} *s = container_of(kref, struct session_${n}, ref);

	list_del(&s->node);
	kfree(s);
}

static int session_${n}_use(struct session_${n} *s, bool twice)
{
	kref_get(&s->ref);
	if (twice && !kref_get_unless_zero(&s->ref)) {
		kref_put(&s->ref, session_${n}_free);
		return -EBUSY;
	}
	mutex_lock(&s->lock);
	s->count++;
	mutex_unlock(&s->lock);
	if (twice)
		kref_put(&s->ref, session_${n}_free);
	kref_put(&s->ref, session_${n}_free);
	return 0;
}
`,
  // A module with a static object, init and exit.
  (n) => `
static struct kobject *root_${n};
static struct platform_device *pdev_${n};

static int __init mod_${n}_init(void)
{
	int ret;

	root_${n} = kobject_create_and_add("mod${n}", kernel_kobj);
	if (!root_${n})
		return -ENOMEM;
	pdev_${n} = platform_device_alloc("mod${n}", -1);
	if (!pdev_${n}) {
		ret = -ENOMEM;
		goto out_kobj;
	}
	ret = platform_device_add(pdev_${n});
	if (ret)
		goto out_dev;
	return 0;
out_dev:
	platform_device_put(pdev_${n});
out_kobj:
	kobject_put(root_${n});
	return ret;
}

static void __exit mod_${n}_exit(void)
{
	platform_device_unregister(pdev_${n});
	kobject_put(root_${n});
}
`,
];

/**
 * The warm-up work in slices of about `slice` characters of whole templates, `passes` times over
 * about `size` characters (the engines optimise code only after it ran a while, so later passes
 * matter). Measured: three passes over 120 K make a first analysis of a 150 K kernel file ~3× faster.
 */
export function warmUpSlices(size = 120_000, slice = 12_000, passes = 3): string[] {
  const out: string[] = [];
  let i = 0;
  for (let pass = 0; pass < passes; pass++) {
    let total = 0;
    while (total < size) {
      let text = '';
      while (text.length < slice) text += TEMPLATES[i % TEMPLATES.length]!(String(i++));
      out.push(text);
      total += text.length;
    }
  }
  return out;
}
