// Unsafe fixes are offered, not applied by "fix all": each must still do what it says — after applying
// it, the finding it targets is gone and nothing new appears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../src/analysis';
import { loadAnalyzer } from './helpers';

async function applyFirstFix(text: string, rule: string): Promise<string> {
  const a = await loadAnalyzer();
  const f = a.analyze(text).findings.find((x) => x.rule === rule);
  assert.ok(f, `a ${rule} finding`);
  assert.ok(f.fixes[0], 'with a fix');
  return applyEdits(text, f.fixes[0].edits);
}

test('missing-release on a device: the generated release is wired in before the registration', async () => {
  const text = `struct acme_led { int id; struct device dev; };

int acme_led_add(struct device *parent)
{
\tstruct acme_led *led = kzalloc(sizeof(*led), GFP_KERNEL);

\tif (!led)
\t\treturn -ENOMEM;
\tled->dev.parent = parent;
\tif (device_register(&led->dev)) {
\t\tput_device(&led->dev);
\t\treturn -EIO;
\t}
\treturn 0;
}
`;
  const fixed = await applyFirstFix(text, 'missing-release');
  assert.match(
    fixed,
    /static void acme_led_release\(struct device \*dev\)\n\{\n\tkfree\(container_of\(dev, struct acme_led, dev\)\);\n\}/,
  );
  assert.match(fixed, /\tled->dev.release = acme_led_release;\n\tif \(device_register/);
  assert.deepEqual((await loadAnalyzer()).analyze(fixed).findings, []);
});

test('missing-release on a kobj_type: a release for its container is generated and set', async () => {
  const text = `struct zeta_node { int id; struct kobject kobj; };

static const struct kobj_type zeta_node_ktype = {
\t.sysfs_ops = &kobj_sysfs_ops,
};

struct zeta_node *zeta_node_add(struct kobject *parent, int id)
{
\tstruct zeta_node *n = kzalloc(sizeof(*n), GFP_KERNEL);

\tif (!n)
\t\treturn NULL;
\tif (kobject_init_and_add(&n->kobj, &zeta_node_ktype, parent, "n%d", id)) {
\t\tkobject_put(&n->kobj);
\t\treturn NULL;
\t}
\treturn n;
}
`;
  const fixed = await applyFirstFix(text, 'missing-release');
  assert.match(fixed, /static void zeta_node_release\(struct kobject \*kobj\)/);
  assert.match(fixed, /zeta_node_ktype = \{\n\t\.release = zeta_node_release,\n\t\.sysfs_ops/);
  assert.deepEqual((await loadAnalyzer()).analyze(fixed).findings, []);
});

test('module-unload-race: the completion scaffold, which cannot close the race while the release is module code', async () => {
  const text = `struct sprig_state { int level; struct kobject kobj; };

static struct sprig_state sprig;

static void sprig_release(struct kobject *kobj)
{
\tstruct sprig_state *s = container_of(kobj, struct sprig_state, kobj);

\ts->level = 0;
}

static const struct kobj_type sprig_ktype = {
\t.release = sprig_release,
\t.sysfs_ops = &kobj_sysfs_ops,
};

static int __init sprig_init(void)
{
\tint ret;

\tret = kobject_init_and_add(&sprig.kobj, &sprig_ktype, kernel_kobj, "sprig");
\tif (ret)
\t\tkobject_put(&sprig.kobj);
\treturn ret;
}

static void __exit sprig_exit(void)
{
\tkobject_put(&sprig.kobj);
}

module_init(sprig_init);
module_exit(sprig_exit);
MODULE_LICENSE("GPL");
`;
  const oneLine = (await loadAnalyzer()).analyze(text).findings.find((f) => f.rule === 'module-unload-race');
  assert.deepEqual(oneLine?.fixes, [], 'no scaffold when the struct has no closing line to insert before');
  const multi = text.replace(
    'struct sprig_state { int level; struct kobject kobj; };',
    'struct sprig_state {\n\tint level;\n\tstruct kobject kobj;\n};',
  );
  const scaffolded = await applyFirstFix(multi, 'module-unload-race');
  assert.match(scaffolded, /\tstruct kobject kobj;\n\tstruct completion released;\n\};/);
  assert.match(
    scaffolded,
    /\ts->level = 0;\n\tcomplete\(&container_of\(kobj, struct sprig_state, kobj\)->released\);\n\}/,
  );
  assert.match(scaffolded, /\tinit_completion\(&sprig.released\);\n\tret = kobject_init_and_add/);
  assert.match(scaffolded, /\tkobject_put\(&sprig.kobj\);\n\twait_for_completion\(&sprig.released\);\n\}/);
  const still = (await loadAnalyzer()).analyze(scaffolded).findings.map((f) => f.rule);
  assert.ok(still.includes('module-unload-race'), 'the release is still module code: the finding stays');
});
