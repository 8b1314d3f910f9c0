// File facts over small, realistic C shapes parsed by the real grammar: embedded objects, initializers,
// releases, sysfs callbacks, module entry points and static objects; and over a few files of a real
// kernel tree (see kernelTree()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  collectFacts,
  functionInfo,
  releaseFrees,
  structTypes,
  type FileFacts,
} from '../../src/analysis/facts';
import { KNOWN_CONTAINERS, KNOWN_CONVERTERS } from '../../src/analysis/model/containers';
import { kernelTree, parseToRoot } from './helpers';

async function facts(text: string): Promise<FileFacts> {
  return collectFacts(await parseToRoot(text));
}

// ------------------------------------------------------------------------------------------ structs

test("structs: direct, nested, through a known container, typedef'd, in #ifdef; pointers are not embedding", async () => {
  const f = await facts(`
struct gadget_port {
	struct kobject kobj;
	int index;
};

struct gadget_hub {
	spinlock_t lock;
	struct gadget_port port;
	struct gadget_port *peer;
	struct device *parent;
};

struct board_priv {
	struct platform_device pdev;
	void __iomem *base;
};

typedef struct sensor_ctx {
	struct device dev;
	struct kref ref;
} sensor_ctx_t;

typedef struct {
	sensor_ctx_t ctx;
} sensor_wrap_t;

#ifdef CONFIG_FOO_PHY
struct foo_phy {
	struct phy_device phydev;
};
#endif

struct plain {
	int a;
	struct device *dev;
	struct kobject *kobj;
};
`);
  assert.deepEqual(f.structs.get('gadget_port')?.embeds, [{ member: 'kobj', kind: 'kobject', first: true }]);
  assert.deepEqual(f.structs.get('gadget_hub')?.embeds, [
    { member: 'port', kind: 'kobject', first: false, via: 'port.kobj' },
  ]);
  // platform_device embeds its device, but not at offset 0 (include/linux/platform_device.h).
  assert.deepEqual(f.structs.get('board_priv')?.embeds, [
    { member: 'pdev', kind: 'device', first: false, via: 'pdev.dev' },
  ]);
  assert.deepEqual(f.structs.get('sensor_ctx')?.embeds, [
    { member: 'dev', kind: 'device', first: true },
    { member: 'ref', kind: 'kref', first: false },
  ]);
  assert.equal(f.typedefs.get('sensor_ctx_t'), 'sensor_ctx');
  // An anonymous typedef'd struct is known by its typedef name; embedding goes through the typedef.
  assert.deepEqual(f.structs.get('sensor_wrap_t')?.embeds, [
    { member: 'ctx', kind: 'device', first: true, via: 'ctx.dev' },
    { member: 'ctx', kind: 'kref', first: false, via: 'ctx.ref' },
  ]);
  // phy_device starts with its mdio_device, which starts with its device.
  assert.deepEqual(f.structs.get('foo_phy')?.embeds, [
    { member: 'phydev', kind: 'device', first: true, via: 'phydev.mdio.dev' },
  ]);
  assert.deepEqual(f.structs.get('plain')?.embeds, []);
  assert.equal(f.structs.get('plain')?.randomized, false);
  assert.equal(f.structs.get('gadget_port')?.range.start.line, 1);
});

test('structs: anonymous members, arrays, later definitions and __randomize_layout', async () => {
  const f = await facts(`
struct multi {
	union {
		struct device dev;
		unsigned long raw;
	};
	struct {
		struct kref ref;
	};
	struct kobject slots[4];
	struct later_defined tail;
};

struct later_defined {
	struct kset set;
};

struct shuffled {
	struct kobject kobj;
	int id;
} __randomize_layout;
`);
  assert.deepEqual(f.structs.get('multi')?.embeds, [
    { member: 'dev', kind: 'device', first: true },
    { member: 'ref', kind: 'kref', first: false },
    { member: 'slots', kind: 'kobject', first: false, array: true },
    { member: 'tail', kind: 'kset', first: false, via: 'tail.set' },
  ]);
  assert.equal(f.structs.get('shuffled')?.randomized, true);
  assert.deepEqual(f.structs.get('shuffled')?.embeds, [{ member: 'kobj', kind: 'kobject', first: false }]);
});

test('containers: the table is well formed and matches the 6.12 layouts it was checked against', () => {
  assert.ok(Object.keys(KNOWN_CONTAINERS).length >= 25);
  for (const [name, entries] of Object.entries(KNOWN_CONTAINERS)) {
    assert.ok(entries.length > 0, name);
    for (const e of entries) {
      assert.match(e.member, /^\w+(\.\w+)*$/, name);
      assert.ok(e.kind === 'device' || e.kind === 'kobject', name);
    }
  }
  assert.deepEqual(KNOWN_CONTAINERS['platform_device'], [{ member: 'dev', kind: 'device', first: false }]);
  assert.deepEqual(KNOWN_CONTAINERS['spi_device'], [{ member: 'dev', kind: 'device', first: true }]);
  assert.deepEqual(KNOWN_CONTAINERS['scsi_device'], [
    { member: 'sdev_gendev', kind: 'device', first: false },
  ]);
  assert.deepEqual(KNOWN_CONTAINERS['mmc_host'], [{ member: 'class_dev', kind: 'device', first: false }]);
  // kset { list; list_lock; kobj; … }: its kobject is not first.
  assert.deepEqual(KNOWN_CONTAINERS['kset'], [{ member: 'kobj', kind: 'kobject', first: false }]);
  // watchdog_device only points at devices.
  assert.equal(KNOWN_CONTAINERS['watchdog_device'], undefined);
  for (const [helper, conv] of Object.entries(KNOWN_CONVERTERS)) {
    const target = KNOWN_CONTAINERS[conv.type];
    if (conv.type === 'device') continue;
    assert.ok(
      target?.some((e) => e.member === conv.member),
      helper,
    );
  }
});

// ------------------------------------------------------------------------------------- initializers

test('initializers: const kobj_type, device_type, class with dev_release, kset_uevent_ops, others', async () => {
  const f = await facts(`
static const struct sysfs_ops gadget_sysfs_ops = {
	.show	= gadget_attr_show,
	.store	= gadget_attr_store,
};

static const struct kobj_type gadget_ktype = {
	.release	= gadget_release,
	.sysfs_ops	= &gadget_sysfs_ops,
	.default_groups	= gadget_groups,
};

struct kobj_type bare_ktype = {
	.sysfs_ops	= &gadget_sysfs_ops,
};

static const struct device_type sensor_type = {
	.name		= "sensor",
	.groups		= sensor_groups,
	.release	= sensor_type_release,
};

static const struct class sensor_class = {
	.name		= "sensor",
	.dev_groups	= sensor_class_groups,
	.dev_release	= sensor_class_release,
};

static const struct kset_uevent_ops gadget_uevent_ops = {
	.filter		= gadget_uevent_filter,
};

static const struct file_operations gadget_fops = {
	.owner		= THIS_MODULE,
	.release	= gadget_fop_release,
};

static struct kobj_type *ktype_ptr;
`);
  const init = f.initializers;
  assert.deepEqual(
    { ...init.get('gadget_ktype'), range: undefined },
    {
      kind: 'kobj_type',
      type: 'kobj_type',
      release: 'gadget_release',
      sysfsOps: 'gadget_sysfs_ops',
      groups: ['gadget_groups'],
      range: undefined,
    },
  );
  assert.equal(init.get('gadget_ktype')?.range.start.line, 6);
  assert.equal(init.get('bare_ktype')?.kind, 'kobj_type');
  assert.equal(init.get('bare_ktype')?.release, undefined);
  assert.equal(init.get('sensor_type')?.kind, 'device_type');
  assert.equal(init.get('sensor_type')?.release, 'sensor_type_release');
  assert.deepEqual(init.get('sensor_type')?.groups, ['sensor_groups']);
  assert.equal(init.get('sensor_class')?.kind, 'class');
  assert.equal(init.get('sensor_class')?.release, 'sensor_class_release');
  assert.equal(init.get('gadget_uevent_ops')?.kind, 'kset_uevent_ops');
  assert.equal(init.get('gadget_fops')?.kind, 'other');
  assert.equal(init.get('gadget_sysfs_ops'), undefined);
  assert.equal(init.get('ktype_ptr'), undefined);
  // releaseOf is exactly the initializers that name a release.
  assert.deepEqual(
    [...f.releaseOf].sort(),
    [...init]
      .filter(([, i]) => i.release)
      .map(([n, i]) => [n, i.release])
      .sort(),
  );
  // A file_operations .release closes a file: it is not an object release.
  assert.deepEqual([...f.releases.keys()].sort(), [
    'gadget_release',
    'sensor_class_release',
    'sensor_type_release',
  ]);
  assert.equal(f.releases.get('sensor_class_release')?.kind, 'class');
  assert.equal(f.releases.get('sensor_type_release')?.kind, 'device_type');
});

// ------------------------------------------------------------------------------------------ releases

test('releases: kobj_type release with container_of, empty device release, to_foo() helpers, kref_put', async () => {
  const f = await facts(`
struct gadget {
	struct kobject kobj;
	struct kref ref;
	struct rcu_head rcu;
};

struct lun {
	int id;
	struct device dev;
};

#define to_lun(d) container_of(d, struct lun, dev)

static inline struct gadget *kobj_to_gadget(struct kobject *kobj)
{
	return container_of(kobj, struct gadget, kobj);
}

static void gadget_release(struct kobject *kobj)
{
	struct gadget *g = container_of(kobj, struct gadget, kobj);

	pr_debug("gadget %p released\\n", g);
	kfree(g);
}

static const struct kobj_type gadget_ktype = {
	.release = gadget_release,
};

static void lun_release(struct device *dev)
{
	/* Nothing to do: the LUN array is freed with its owner. */
}

static void lun_release_debug(struct device *dev)
{
	struct lun *l = to_lun(dev);

	dev_dbg(dev, "lun %d gone\\n", l->id);
}

static void gadget_free_ref(struct kref *ref)
{
	struct gadget *g = container_of(ref, struct gadget, ref);

	kfree_rcu(g, rcu);
}

static void gadget_cache_release(struct kobject *kobj)
{
	kmem_cache_free(gadget_cache, kobj_to_gadget(kobj));
}

static int lun_setup(struct lun *l, struct device *parent)
{
	l->dev.release = lun_release;
	l->dev.parent = parent;
	return device_register(&l->dev);
}

static void lun_setup_debug(struct device *dev)
{
	dev->release = lun_release_debug;
}

static void gadget_put(struct gadget *g)
{
	kref_put(&g->ref, gadget_free_ref);
}

static void gadget_put_locked(struct gadget *g)
{
	kref_put_mutex(&g->ref, gadget_free_ref, &gadget_lock);
}

static void gadget_ktype_setup(struct kobj_type *kt)
{
	kt->release = gadget_cache_release;
}

static void fops_setup(struct file_operations *fops)
{
	fops->release = not_a_lifetime_release;
}
`);
  const r = f.releases;
  const g = r.get('gadget_release');
  assert.equal(g?.kind, 'kobj_type');
  assert.equal(g?.defined, true);
  assert.deepEqual(
    g?.frees.map((x) => [x.call, x.argText]),
    [['kfree', 'g']],
  );
  assert.equal(g?.empty, false);
  assert.equal(g?.doesNothing, false);
  assert.deepEqual(
    { ...g?.container, range: undefined },
    { type: 'gadget', member: 'kobj', range: undefined },
  );

  const lun = r.get('lun_release');
  assert.equal(lun?.kind, 'device');
  assert.deepEqual(
    lun?.uses.map((u) => u.via),
    ['l->dev.release'],
  );
  assert.equal(lun?.empty, true);
  assert.equal(lun?.doesNothing, true);
  assert.deepEqual(lun?.frees, []);

  const dbg = r.get('lun_release_debug');
  assert.equal(dbg?.kind, 'device');
  assert.equal(dbg?.empty, false);
  assert.equal(dbg?.doesNothing, true);
  assert.deepEqual(
    { ...dbg?.container, range: undefined },
    { type: 'lun', member: 'dev', helper: 'to_lun', range: undefined },
  );

  const ref = r.get('gadget_free_ref');
  assert.equal(ref?.kind, 'kref');
  assert.deepEqual(
    ref?.uses.map((u) => u.via),
    ['kref_put', 'kref_put_mutex'],
  );
  assert.deepEqual(
    ref?.frees.map((x) => [x.call, x.argText]),
    [['kfree_rcu', 'g']],
  );
  assert.equal(ref?.container?.member, 'ref');

  const cache = r.get('gadget_cache_release');
  assert.equal(cache?.kind, 'kobj_type');
  assert.deepEqual(
    cache?.frees.map((x) => [x.call, x.argText]),
    [['kmem_cache_free', 'kobj_to_gadget(kobj)']],
  );
  assert.equal(cache?.container?.helper, 'kobj_to_gadget');
  assert.equal(cache?.container?.type, 'gadget');

  assert.equal(r.has('not_a_lifetime_release'), false);
  assert.deepEqual(f.converters.get('to_lun'), { type: 'lun', member: 'dev' });
  assert.deepEqual(f.converters.get('kobj_to_gadget'), { type: 'gadget', member: 'kobj' });
});

test('releases: a static device initializer arms its release; a release defined elsewhere is marked', async () => {
  const f = await facts(`
static void board_pdev_release(struct device *dev)
{
}

static struct platform_device board_pdev = {
	.name	= "board",
	.id	= -1,
	.dev	= {
		.release = board_pdev_release,
	},
};

static struct device board_bus = {
	.init_name	= "board-bus",
	.release	= board_bus_release,
};
`);
  assert.deepEqual(
    f.releases.get('board_pdev_release')?.uses.map((u) => [u.kind, u.via]),
    [['device', 'board_pdev.dev.release']],
  );
  assert.equal(f.releases.get('board_pdev_release')?.empty, true);
  const bus = f.releases.get('board_bus_release');
  assert.equal(bus?.kind, 'device');
  assert.equal(bus?.defined, false);
});

// --------------------------------------------------------------------------------- sysfs callbacks

test('sysfs callbacks: DEVICE_ATTR_RW/RO/WO, DEVICE_ATTR with a mode expression, __ATTR, designated, sysfs_ops', async () => {
  const text = `
static ssize_t speed_show(struct device *dev, struct device_attribute *attr, char *buf);
static DEVICE_ATTR_RW(speed);
static DEVICE_ATTR_RO(serial);
static DEVICE_ATTR_WO(reset);
static DEVICE_ATTR(mode, S_IRUGO | S_IWUSR, mode_get, mode_set);
static DEVICE_ATTR(label, 0444, label_get, NULL);
DEVICE_ATTR_RO(bare);
/* DEVICE_ATTR_RW(ghost) in a comment is not an attribute */

static struct kobj_attribute enabled_attr = __ATTR(enabled, 0644, enabled_get, enabled_set);
static struct kobj_attribute state_attr = __ATTR_RO(state);

static struct device_attribute port_attrs[] = {
	__ATTR(port0, 0444, port_show, NULL),
	__ATTR(port1, 0444, port_show, NULL),
};

static struct device_attribute dev_attr_power = {
	.attr	= { .name = "power", .mode = 0644 },
	.show	= power_get,
	.store	= power_set,
};

static SENSOR_DEVICE_ATTR_RO(temp1_input, temp, 0);
static SENSOR_DEVICE_ATTR_RO(temp2_input, temp, 1);

static const struct sysfs_ops gadget_sysfs_ops = {
	.show	= gadget_attr_show,
	.store	= gadget_attr_store,
};
`;
  const f = await facts(text);
  const s = f.sysfsCallbacks;
  const brief = (name: string) => {
    const c = s.get(name);
    return c && [c.kind, c.attribute, c.variable, c.macro];
  };
  assert.deepEqual(brief('speed_show'), ['show', 'speed', 'dev_attr_speed', 'DEVICE_ATTR_RW']);
  assert.deepEqual(brief('speed_store'), ['store', 'speed', 'dev_attr_speed', 'DEVICE_ATTR_RW']);
  assert.deepEqual(brief('serial_show'), ['show', 'serial', 'dev_attr_serial', 'DEVICE_ATTR_RO']);
  assert.equal(s.has('serial_store'), false);
  assert.deepEqual(brief('reset_store'), ['store', 'reset', 'dev_attr_reset', 'DEVICE_ATTR_WO']);
  assert.equal(s.has('reset_show'), false);
  assert.deepEqual(brief('mode_get'), ['show', 'mode', 'dev_attr_mode', 'DEVICE_ATTR']);
  assert.deepEqual(brief('mode_set'), ['store', 'mode', 'dev_attr_mode', 'DEVICE_ATTR']);
  assert.deepEqual(brief('label_get'), ['show', 'label', 'dev_attr_label', 'DEVICE_ATTR']);
  assert.equal(s.has('NULL'), false);
  assert.deepEqual(brief('bare_show'), ['show', 'bare', 'dev_attr_bare', 'DEVICE_ATTR_RO']);
  assert.equal(s.has('ghost_show'), false);
  assert.deepEqual(brief('enabled_get'), ['show', 'enabled', 'enabled_attr', '__ATTR']);
  assert.deepEqual(brief('enabled_set'), ['store', 'enabled', 'enabled_attr', '__ATTR']);
  assert.deepEqual(brief('state_show'), ['show', 'state', 'state_attr', '__ATTR_RO']);
  assert.deepEqual(s.get('port_show')?.attributes, ['port0', 'port1']);
  assert.deepEqual(brief('power_get'), ['show', 'power', 'dev_attr_power', undefined]);
  assert.deepEqual(brief('power_set'), ['store', 'power', 'dev_attr_power', undefined]);
  assert.deepEqual(s.get('temp_show')?.attributes, ['temp1_input', 'temp2_input']);
  assert.equal(s.get('temp_show')?.variable, 'sensor_dev_attr_temp1_input');
  assert.deepEqual(brief('gadget_attr_show'), ['show', '*', 'gadget_sysfs_ops', undefined]);
  assert.deepEqual(brief('gadget_attr_store'), ['store', '*', 'gadget_sysfs_ops', undefined]);
  // Ranges are the user's: the macro invocation on its own line.
  const lines = text.split('\n');
  const mode = s.get('mode_get')!.range;
  assert.equal(
    lines[mode.start.line]!.slice(mode.start.character, mode.end.character),
    'DEVICE_ATTR(mode, S_IRUGO | S_IWUSR, mode_get, mode_set)',
  );
});

// ---------------------------------------------------------------------------------------- modules

test('modules: module_init/exit, module_platform_driver, module_driver, MODULE_LICENSE, built-in files', async () => {
  const init = await facts(`
static int __init gadget_init(void) { return 0; }
static void __exit gadget_exit(void) { }
module_init(gadget_init);
module_exit(gadget_exit);
MODULE_LICENSE("GPL");
`);
  assert.equal(init.moduleInit, 'gadget_init');
  assert.equal(init.moduleExit, 'gadget_exit');
  assert.deepEqual(init.moduleDriver, []);
  assert.equal(init.isModule, true);

  const drv = await facts(`
static struct platform_driver board_driver = {
	.probe	= board_probe,
	.driver	= { .name = "board" },
};
module_platform_driver(board_driver);
module_driver(board_i2c_driver, i2c_add_driver, i2c_del_driver);
MODULE_DESCRIPTION("board");
`);
  assert.deepEqual(drv.moduleDriver, ['board_driver', 'board_i2c_driver']);
  assert.equal(drv.isModule, true);
  assert.equal(drv.moduleInit, undefined);

  const licence = await facts('MODULE_LICENSE("GPL v2");\n');
  assert.equal(licence.isModule, true);

  const builtin = await facts(`
static int __init board_setup(void) { return 0; }
subsys_initcall(board_setup);
builtin_platform_driver(board_driver);
`);
  assert.equal(builtin.isModule, false);
  assert.deepEqual(builtin.moduleDriver, []);
});

// ----------------------------------------------------------------------------------------- statics

test('statics: file-scope objects and containers, static locals; pointers, externs and plain locals are not', async () => {
  const f = await facts(`
struct gadget {
	struct kobject kobj;
};

static struct kobject gadget_root;
static struct kset gadget_kset = { .kobj = { .name = "gadget" } };
struct device gadget_bus;
static struct kref gadget_refs;
static struct gadget gadgets[2];
static struct platform_device board_pdev = { .name = "board" };
static struct { struct device dev; } anon_holder;
static struct kobject *gadget_kobj;
extern struct device other_bus;

static int gadget_probe(struct device *parent)
{
	static struct device fallback_dev;
	static struct device *cached;
	struct device local_dev;
	static int calls;

	calls++;
	return 0;
}
`);
  const s = f.statics;
  const brief = (name: string) => {
    const x = s.get(name);
    return x && [x.type, x.kind, x.storage, x.function, x.array];
  };
  assert.deepEqual(brief('gadget_root'), ['kobject', 'kobject', 'file', undefined, undefined]);
  assert.deepEqual(brief('gadget_kset'), ['kset', 'kset', 'file', undefined, undefined]);
  assert.deepEqual(brief('gadget_bus'), ['device', 'device', 'file', undefined, undefined]);
  assert.deepEqual(brief('gadget_refs'), ['kref', 'kref', 'file', undefined, undefined]);
  assert.deepEqual(brief('gadgets'), ['gadget', 'container', 'file', undefined, true]);
  assert.deepEqual(brief('board_pdev'), ['platform_device', 'container', 'file', undefined, undefined]);
  assert.deepEqual(s.get('board_pdev')?.embeds, [{ member: 'dev', kind: 'device', first: false }]);
  assert.equal(s.get('anon_holder')?.kind, 'container');
  assert.deepEqual(brief('fallback_dev'), ['device', 'device', 'static-local', 'gadget_probe', undefined]);
  assert.equal(s.get('gadget_root')?.range.start.line, 5);
  for (const absent of ['gadget_kobj', 'other_bus', 'cached', 'local_dev', 'calls'])
    assert.equal(s.has(absent), false, absent);
});

// ------------------------------------------------------------------------------- recovery, old API

test('a file-scope ERROR that swallows the rest of the file still yields the declarations after it', async () => {
  // An #ifdef between the arms of an else-if chain: tree-sitter cannot place the arms, and the ERROR
  // it recovers with runs to the end of the file (fs/f2fs/sysfs.c has this shape).
  const f = await facts(`
struct gadget_attr {
	struct attribute attr;
	int kind;
};

static ssize_t gadget_show(struct gadget_attr *a, char *buf);

static unsigned char *field_ptr(struct gadget_info *gi, int kind)
{
	if (kind == GADGET_MAIN)
		return (unsigned char *)&gi->main;
	else if (kind == GADGET_STATE)
		return (unsigned char *)GADGET_STATE_OF(gi);
#ifdef CONFIG_GADGET_FAULTS
	else if (kind == GADGET_FAULT_RATE ||
			kind == GADGET_FAULT_TYPE)
		return (unsigned char *)&GADGET_OPTS(gi).faults;
#endif
#ifdef CONFIG_GADGET_STATS
	else if (kind == GADGET_STATS)
		return (unsigned char *)GADGET_STATS_OF(gi);
#endif
	else if (kind == GADGET_TAIL)
		return (unsigned char *)&gi->tail;
	return NULL;
}

static void gadget_info_release(struct kobject *kobj)
{
	struct gadget_info *gi = container_of(kobj, struct gadget_info, kobj);

	complete(&gi->done);
}

static void gadget_stat_release(struct kobject *kobj)
{
	struct gadget_info *gi = container_of(kobj, struct gadget_info, stat_kobj);

	complete(&gi->stat_done);
}

static const struct kobj_type gadget_info_ktype = {
	.release	= gadget_info_release,
};

static const struct kobj_type gadget_feat_ktype = {
	.sysfs_ops	= &gadget_attr_ops,
};

static struct kobject gadget_feat;
static DEVICE_ATTR_RO(version);
`);
  assert.equal(f.initializers.get('gadget_info_ktype')?.release, 'gadget_info_release');
  assert.equal(f.initializers.get('gadget_feat_ktype')?.kind, 'kobj_type');
  assert.equal(f.initializers.get('gadget_feat_ktype')?.release, undefined);
  assert.equal(f.releases.get('gadget_info_release')?.kind, 'kobj_type');
  assert.equal(f.releaseOf.get('gadget_info_ktype'), 'gadget_info_release');
  assert.equal(f.statics.get('gadget_feat')?.kind, 'kobject');
  assert.equal(f.sysfsCallbacks.get('version_show')?.attribute, 'version');
  // `functions` keeps its meaning: only function definitions parsed at file scope.
  assert.equal(f.functions.has('gadget_info_release'), false);
});

test('the earlier exports keep their meaning: functionInfo, structTypes, releaseFrees', async () => {
  const root = await parseToRoot(`
static void foo_release(struct device *dev)
{
	struct foo *f = container_of(dev, struct foo, dev);

	kfree(f);
}

static void bar_release(struct device *dev)
{
}
`);
  const f = collectFacts(root);
  const foo = f.functions.get('foo_release');
  assert.ok(foo);
  assert.deepEqual(functionInfo(foo.node)?.params, ['dev']);
  assert.deepEqual(
    [...structTypes(foo)],
    [
      ['dev', 'device'],
      ['f', 'foo'],
    ],
  );
  assert.equal(releaseFrees(foo), true);
  assert.equal(releaseFrees(f.functions.get('bar_release')), false);
  assert.equal(releaseFrees(undefined), undefined);
});

// ---------------------------------------------------------------------------------- a real kernel

test('real kernel files', async () => {
  const tree = kernelTree();
  const load = async (path: string) => facts(readFileSync(join(tree, path), 'utf8'));

  const plt = await load('drivers/platform/x86/intel/pmc/pltdrv.c');
  const pmc = plt.releases.get('intel_pmc_core_release');
  assert.equal(pmc?.kind, 'device');
  assert.deepEqual(
    pmc?.uses.map((u) => u.via),
    ['pmc_core_device->dev.release'],
  );
  assert.deepEqual(
    pmc?.frees.map((x) => [x.call, x.argText]),
    [['kfree', 'dev']],
  );
  assert.equal(plt.moduleInit, 'pmc_core_platform_init');
  assert.equal(plt.moduleExit, 'pmc_core_platform_exit');
  assert.equal(plt.isModule, true);
  assert.equal(plt.statics.has('pmc_core_device'), false, 'a pointer is not a static object');

  const fsg = await load('drivers/usb/gadget/function/f_mass_storage.c');
  const lun = fsg.releases.get('fsg_lun_release');
  assert.equal(lun?.kind, 'device');
  assert.equal(lun?.empty, true);
  assert.equal(lun?.doesNothing, true);
  assert.deepEqual(lun?.frees, []);
  for (const cb of [
    'nofua_show',
    'nofua_store',
    'forced_eject_store',
    'ro_show',
    'ro_store',
    'file_show',
    'file_store',
  ])
    assert.ok(fsg.sysfsCallbacks.has(cb), cb);
  assert.equal(fsg.isModule, true);
  // configfs item releases are not object releases.
  assert.equal(fsg.initializers.get('fsg_lun_item_ops')?.kind, 'other');
  assert.equal(fsg.releases.has('fsg_lun_attr_release'), false);

  const f2fs = await load('fs/f2fs/sysfs.c');
  for (const k of ['f2fs_ktype', 'f2fs_feat_ktype', 'f2fs_tune_ktype']) {
    assert.equal(f2fs.initializers.get(k)?.kind, 'kobj_type', k);
    assert.equal(f2fs.initializers.get(k)?.release, undefined, k);
  }
  assert.equal(f2fs.initializers.get('f2fs_sb_ktype')?.release, 'f2fs_sb_release');
  assert.equal(f2fs.releases.get('f2fs_sb_release')?.container?.type, 'f2fs_sb_info');
  assert.equal(f2fs.statics.get('f2fs_feat')?.kind, 'kobject');
  assert.equal(f2fs.statics.get('f2fs_tune')?.kind, 'kobject');
  assert.equal(f2fs.statics.get('f2fs_kset')?.kind, 'kset');

  const erofs = await load('fs/erofs/sysfs.c');
  assert.deepEqual(
    [erofs.statics.get('erofs_feat')?.kind, erofs.statics.get('erofs_feat')?.storage],
    ['kobject', 'file'],
  );
  assert.equal(erofs.statics.get('erofs_root')?.kind, 'kset');
  assert.equal(erofs.initializers.get('erofs_feat_ktype')?.release, undefined);
  assert.equal(erofs.initializers.get('erofs_ktype')?.release, undefined);
  const sb = erofs.releases.get('erofs_sb_release');
  assert.equal(sb?.kind, 'kobj_type');
  assert.deepEqual(sb?.frees, []);
  assert.deepEqual(
    { type: sb?.container?.type, member: sb?.container?.member },
    { type: 'erofs_sb_info', member: 's_kobj' },
  );
  assert.equal(erofs.isModule, false);
});
