// The lifecycle simulator: golden traces of the showcase examples (BLESS=1 rewrites them), the engine's
// paths, folding and each violation kind on small functions, determinism, and agreement with the rules
// on every rule fixture.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { createSimulator, formatSimulationText, type Simulator } from '../../src/simulator';
import type { SimulationOptions, Simulation } from '../../src/protocol/simulation';
import { loadAnalyzer, ROOT } from './helpers';

const BLESS = process.env.BLESS === '1';

let simulator: Promise<Simulator> | undefined;
function load(): Promise<Simulator> {
  simulator ??= createSimulator({
    runtime: readFileSync(join(ROOT, 'dist', 'web-tree-sitter.wasm')),
    grammar: readFileSync(join(ROOT, 'dist', 'tree-sitter-c.wasm')),
  });
  return simulator;
}

const DELAYED: SimulationOptions = { debugKobjectRelease: true, sysfsReader: true, moduleUnload: true };
const PLAIN: SimulationOptions = { debugKobjectRelease: false, sysfsReader: false, moduleUnload: true };
const BARE: SimulationOptions = { debugKobjectRelease: false, sysfsReader: false, moduleUnload: false };

/** The other .c/.h files of the folder, as the CLI passes them (paths relative to the repository). */
function neighbours(rel: string): { file: string; text: string }[] {
  const dir = dirname(rel);
  return readdirSync(join(ROOT, dir))
    .filter((n) => /\.[ch]$/.test(n) && n !== basename(rel))
    .sort()
    .map((n) => ({ file: `${dir}/${n}`, text: readFileSync(join(ROOT, dir, n), 'utf8') }));
}

async function simulateFile(rel: string, fn: string, options: SimulationOptions): Promise<Simulation> {
  const sim = await load();
  const r = sim.simulate({
    file: rel,
    text: readFileSync(join(ROOT, rel), 'utf8'),
    function: fn,
    options,
    neighbours: neighbours(rel),
  });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.simulation;
}

async function simulateText(
  text: string,
  fn: string,
  options: SimulationOptions = BARE,
): Promise<Simulation> {
  const r = (await load()).simulate({ file: 'test.c', text, function: fn, options });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.simulation;
}

const kinds = (s: Simulation): string[] =>
  [...new Set(s.paths.flatMap((p) => p.violations.map((v) => v.kind)))].sort();

// ---- golden traces ---------------------------------------------------------------------------------

const GOLDEN: { name: string; file: string; fn: string; options: SimulationOptions; bug: boolean }[] = [
  {
    name: 'livepatch-original-delayed',
    file: 'examples/livepatch-2016/original/patch.c',
    fn: 'livepatch_exit',
    options: DELAYED,
    bug: true,
  },
  {
    name: 'livepatch-original-2016-view',
    file: 'examples/livepatch-2016/original/patch.c',
    fn: 'livepatch_exit',
    options: PLAIN,
    bug: false,
  },
  {
    name: 'livepatch-1-pointer-kobject-delayed',
    file: 'examples/livepatch-2016/1-pointer-kobject/patch.c',
    fn: 'livepatch_exit',
    options: DELAYED,
    bug: false,
  },
  {
    name: 'livepatch-2-completion-delayed',
    file: 'examples/livepatch-2016/2-completion/patch.c',
    fn: 'livepatch_exit',
    options: DELAYED,
    bug: false,
  },
  {
    name: 'livepatch-3-core-allocates-delayed',
    file: 'examples/livepatch-2016/3-core-allocates/patch.c',
    fn: 'livepatch_exit',
    options: DELAYED,
    bug: false,
  },
  {
    name: 'error-path-kfree-after-register',
    file: 'examples/error-paths/kfree-after-register.c',
    fn: 'gadget_create',
    options: DELAYED,
    bug: true,
  },
  {
    name: 'error-path-put-after-register',
    file: 'examples/error-paths/put-after-register.c',
    fn: 'gizmo_create',
    options: DELAYED,
    bug: false,
  },
  {
    name: 'error-path-put-after-register-immediate',
    file: 'examples/error-paths/put-after-register.c',
    fn: 'gizmo_create',
    options: PLAIN,
    bug: false,
  },
];

for (const g of GOLDEN) {
  test(`golden trace ${g.name}`, async () => {
    const sim = await simulateFile(g.file, g.fn, g.options);
    const text = formatSimulationText(sim);
    const path = join(ROOT, 'test', 'golden', `${g.name}.trace`);
    if (BLESS) writeFileSync(path, text);
    assert.ok(existsSync(path), `${path} is missing (run with BLESS=1 to create it)`);
    assert.equal(text, readFileSync(path, 'utf8'), `${g.name}: the trace differs (BLESS=1 rewrites it)`);
    assert.equal(
      sim.paths.some((p) => p.verdict === 'bug'),
      g.bug,
      `${g.name}: verdict`,
    );
  });
}

test('livepatch original: the reader and the delayed cleanup both touch freed module memory', async () => {
  const sim = await simulateFile('examples/livepatch-2016/original/patch.c', 'livepatch_exit', DELAYED);
  assert.equal(sim.scenario, 'module');
  const v = sim.paths[0]!.violations;
  assert.ok(
    v.some(
      (x) => x.kind === 'use-after-free' && x.actor === 'sysfs-reader' && /enabled_show/.test(x.message),
    ),
  );
  assert.ok(v.some((x) => x.kind === 'use-after-free' && x.actor === 'release-worker'));
  // Without the delayed release and without a reader it looks fine, as it did in 2016.
  const calm = await simulateFile('examples/livepatch-2016/original/patch.c', 'livepatch_exit', PLAIN);
  assert.deepEqual(kinds(calm), []);
  // The reader alone (cleanup at the put) finds nothing either: the put removed the files first.
  const reader = await simulateFile('examples/livepatch-2016/original/patch.c', 'livepatch_exit', {
    ...PLAIN,
    sysfsReader: true,
  });
  assert.deepEqual(kinds(reader), []);
});

test('the same input gives byte-identical JSON', async () => {
  const a = await simulateFile('examples/livepatch-2016/original/patch.c', 'livepatch_exit', DELAYED);
  simulator = undefined; // a fresh simulator (no cache) must agree too
  const b = await simulateFile('examples/livepatch-2016/original/patch.c', 'livepatch_exit', DELAYED);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});

// ---- engine: paths, folding, violations -------------------------------------------------------------

test('paths are labelled by their conditions in words', async () => {
  const sim = await simulateText(
    `struct foo { struct device dev; };
static void foo_release(struct device *dev) { kfree(container_of(dev, struct foo, dev)); }
int foo_probe(struct device *parent)
{
	struct foo *f = kzalloc(sizeof(*f), GFP_KERNEL);
	int ret;

	if (!f)
		return -ENOMEM;
	f->dev.release = foo_release;
	ret = device_register(&f->dev);
	if (ret) {
		put_device(&f->dev);
		return ret;
	}
	return 0;
}
`,
    'foo_probe',
  );
  const conds = sim.paths.map((p) => p.conditions.join('; ')).sort();
  assert.deepEqual(conds, [
    'kzalloc() returns NULL',
    'kzalloc() succeeds; device_register() fails',
    'kzalloc() succeeds; device_register() succeeds',
  ]);
  assert.ok(sim.paths.every((p) => p.verdict === 'ok'));
  const failed = sim.paths.find((p) => p.conditions.includes('device_register() fails'))!;
  assert.ok(failed.steps.some((s) => s.actor === 'release-worker' && /foo_release/.test(s.event)));
  assert.equal(failed.steps.at(-1)!.snapshot[0]!.freed, true);
});

test('paths that reach the same object states are folded and counted', async () => {
  const sim = await simulateText(
    `int bar(struct kobject *k, int a, int b, int c)
{
	if (a)
		pr_info("a\\n");
	if (b)
		pr_info("b\\n");
	if (c)
		pr_info("c\\n");
	kobject_put(k);
	return 0;
}
`,
    'bar',
  );
  assert.equal(sim.paths.length, 1);
  assert.equal(sim.paths[0]!.folded, 7, 'eight concrete paths, one shown');
  const loop = await simulateText(
    `void baz(struct kobject **ks, int n)
{
	int i;

	for (i = 0; i < n; i++)
		kobject_put(ks[i]);
}
`,
    'baz',
  );
  assert.ok(loop.paths.some((p) => p.conditions.some((c) => /^loop at line 5 runs 0 times$/.test(c))));
});

const VIOLATIONS: { kind: string; fn: string; text: string }[] = [
  {
    kind: 'use-after-free',
    fn: 'f',
    text: `struct foo { struct kobject kobj; int x; };
static void foo_release(struct kobject *k) { kfree(container_of(k, struct foo, kobj)); }
static const struct kobj_type foo_ktype = { .release = foo_release };
int f(struct kobject *parent)
{
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kobject_init(&p->kobj, &foo_ktype);
	kobject_put(&p->kobj);
	return p->x;
}
`,
  },
  {
    kind: 'use-after-put',
    fn: 'f',
    text: `struct foo { struct kobject kobj; int x; };
static void foo_release(struct kobject *k) { kfree(container_of(k, struct foo, kobj)); }
static const struct kobj_type foo_ktype = { .release = foo_release };
int f(struct kobject *parent)
{
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kobject_init(&p->kobj, &foo_ktype);
	kobject_put(&p->kobj);
	return p->x;
}
`,
  },
  {
    kind: 'double-free',
    fn: 'f',
    text: `struct foo { struct kobject kobj; };
static void foo_release(struct kobject *k) { kfree(container_of(k, struct foo, kobj)); }
static const struct kobj_type foo_ktype = { .release = foo_release };
void f(void)
{
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return;
	kobject_init(&p->kobj, &foo_ktype);
	kobject_put(&p->kobj);
	kfree(p);
}
`,
  },
  {
    kind: 'leak',
    fn: 'f',
    text: `struct foo { struct kobject kobj; };
static void foo_release(struct kobject *k) { kfree(container_of(k, struct foo, kobj)); }
static const struct kobj_type foo_ktype = { .release = foo_release };
int f(struct kobject *parent)
{
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);
	int ret;

	if (!p)
		return -ENOMEM;
	ret = kobject_init_and_add(&p->kobj, &foo_ktype, parent, "foo");
	if (ret)
		return ret;
	return 0;
}
`,
  },
  {
    kind: 'put-uninitialized',
    fn: 'f',
    text: `struct foo { struct device dev; };
int f(void)
{
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	put_device(&p->dev);
	return 0;
}
`,
  },
  {
    kind: 'missing-release',
    fn: 'f',
    text: `struct foo { struct kobject kobj; };
static const struct kobj_type foo_ktype = { .sysfs_ops = &kobj_sysfs_ops };
int f(struct kobject *parent)
{
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);
	int ret;

	if (!p)
		return -ENOMEM;
	ret = kobject_init_and_add(&p->kobj, &foo_ktype, parent, "foo");
	kobject_put(&p->kobj);
	return ret;
}
`,
  },
  {
    kind: 'free-while-referenced',
    fn: 'f',
    text: `struct foo { struct device dev; };
static void foo_release(struct device *d) { kfree(container_of(d, struct foo, dev)); }
int f(void)
{
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);
	int ret;

	if (!p)
		return -ENOMEM;
	p->dev.release = foo_release;
	ret = device_register(&p->dev);
	if (ret)
		kfree(p);
	return ret;
}
`,
  },
];

for (const v of VIOLATIONS) {
  test(`violation kind ${v.kind}`, async () => {
    // use-after-free needs the release to run at the put; use-after-put sees the memory still there.
    const options = v.kind === 'use-after-put' ? { ...BARE, debugKobjectRelease: true } : BARE;
    const sim = await simulateText(v.text, v.fn, options);
    const found = sim.paths.flatMap((p) => p.violations);
    assert.ok(
      found.some((x) => x.kind === v.kind),
      `expected ${v.kind}, got ${JSON.stringify(found.map((x) => x.kind))}`,
    );
    for (const x of found) {
      assert.ok(x.line > 0 && x.message.length > 20 && x.message.endsWith('.'), JSON.stringify(x));
      assert.equal(typeof x.actor, 'string');
    }
  });
}

test('bad requests are answers, not exceptions', async () => {
  const sim = await load();
  const none = sim.simulate({ file: 'x.c', text: 'int a;', function: 'nope', options: BARE });
  assert.equal(none.ok, false);
  const line = sim.simulate({ file: 'x.c', text: 'int a;\n', line: 1, options: BARE });
  assert.equal(line.ok, false);
  const garbage = sim.simulate({
    file: 'x.c',
    text: 'void f(void) { kobject_put(((( ; }',
    function: 'f',
    options: BARE,
  });
  assert.ok(garbage.ok || typeof garbage.error === 'string');
  assert.deepEqual(sim.functions('void a(void) {}\nvoid b(struct kobject *k)\n{\n\tkobject_put(k);\n}\n'), [
    { name: 'b', startLine: 2, endLine: 5 },
  ]);
});

// ---- agreement with the rules ------------------------------------------------------------------------

/** Rule → the simulator kinds its findings correspond to (the same model, seen concretely). */
const AGREE: Record<string, readonly string[]> = {
  'use-after-put': ['use-after-put', 'use-after-free', 'double-free'],
  'double-put': ['use-after-put', 'use-after-free'],
  'kfree-instead-of-put': ['free-while-referenced'],
  'put-before-init': ['put-uninitialized'],
  'missing-put-on-error': ['leak'],
  'leaked-reference': ['leak'],
};

test('the simulator agrees with the path rules on every rule fixture', async () => {
  const analyzer = await loadAnalyzer();
  const sim = await load();
  const dir = join(ROOT, 'test', 'fixtures', 'rules');
  let compared = 0;
  for (const rule of readdirSync(dir).sort()) {
    for (const name of readdirSync(join(dir, rule)).sort()) {
      if (!name.endsWith('.c') || name.endsWith('.fixed.c')) continue;
      const text = readFileSync(join(dir, rule, name), 'utf8');
      const findings = analyzer.analyze(text).findings.filter((f) => AGREE[f.rule]);
      const want = new Set(findings.map((f) => `${f.rule}@${f.range.start.line + 1}`));
      const got = new Set<string>();
      for (const fn of sim.functions(text)) {
        const r = sim.simulate({ file: name, text, function: fn.name, options: BARE });
        assert.ok(r.ok, r.ok ? '' : r.error);
        for (const p of r.simulation.paths) {
          for (const v of p.violations) {
            if (v.actor !== 'function' || v.file) continue;
            for (const [id, ks] of Object.entries(AGREE)) if (ks.includes(v.kind)) got.add(`${id}@${v.line}`);
          }
        }
      }
      // Every finding is a violation of the simulation (same line, a corresponding kind)…
      for (const w of want)
        assert.ok(got.has(w), `${rule}/${name}: the rules say ${w}, the simulator does not`);
      // …and every violation the function makes is one of the rules' findings.
      const lines = new Set(findings.map((f) => f.range.start.line + 1));
      for (const g of got) {
        const line = Number(g.split('@')[1]);
        assert.ok(lines.has(line), `${rule}/${name}: the simulator says ${g}, the rules say nothing there`);
      }
      compared++;
    }
  }
  assert.ok(compared >= 30, `compared ${compared} fixtures`);
});

test('module-unload-race agrees: the module fixtures that race show a use-after-free at unload', async () => {
  const analyzer = await loadAnalyzer();
  const sim = await load();
  const dir = join(ROOT, 'test', 'fixtures', 'rules', 'module-unload-race');
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.c') || name.endsWith('.fixed.c')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    const racy = analyzer.analyze(text).findings.some((f) => f.rule === 'module-unload-race');
    const exit = /module_exit\((\w+)\)/.exec(text)?.[1];
    if (!exit) {
      assert.equal(racy, false, name);
      continue;
    }
    const r = sim.simulate({ file: name, text, function: exit, options: DELAYED });
    assert.ok(r.ok, r.ok ? '' : r.error);
    const uaf = r.simulation.paths.some((p) => p.violations.some((v) => v.kind === 'use-after-free'));
    assert.equal(
      uaf,
      racy,
      `${name}: rules ${racy ? 'report' : 'do not report'} the race, simulator ${uaf ? 'shows' : 'does not show'} a use-after-free`,
    );
  }
});

test('missing-release agrees per file: the WARN shows up exactly in the files the rule flags', async () => {
  const analyzer = await loadAnalyzer();
  const sim = await load();
  const dir = join(ROOT, 'test', 'fixtures', 'rules');
  let flagged = 0;
  for (const rule of readdirSync(dir).sort()) {
    for (const name of readdirSync(join(dir, rule)).sort()) {
      if (!name.endsWith('.c') || name.endsWith('.fixed.c')) continue;
      const text = readFileSync(join(dir, rule, name), 'utf8');
      const rules = analyzer.analyze(text).findings.some((f) => f.rule === 'missing-release');
      let shown = false;
      for (const fn of sim.functions(text)) {
        const r = sim.simulate({ file: name, text, function: fn.name, options: BARE });
        assert.ok(r.ok, r.ok ? '' : r.error);
        if (r.simulation.paths.some((p) => p.violations.some((v) => v.kind === 'missing-release')))
          shown = true;
      }
      assert.equal(shown, rules, `${rule}/${name}: rule ${rules}, simulator ${shown}`);
      if (rules) flagged++;
    }
  }
  assert.ok(flagged >= 2);
});

test('a reassigned variable names a new object; the old one keeps its pending release', async () => {
  const sim = await simulateText(
    `struct foo { struct device dev; };
static void foo_release(struct device *d) { kfree(container_of(d, struct foo, dev)); }
int f(void)
{
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);
	int ret;

	if (!p)
		return -ENOMEM;
	p->dev.release = foo_release;
	ret = device_register(&p->dev);
	if (ret < 0)
		goto err_reg;
	return 0;
err_reg:
	put_device(&p->dev);
	p = NULL;
	kfree(p);
	return ret;
}
`,
    'f',
    { ...BARE, debugKobjectRelease: true },
  );
  assert.deepEqual(kinds(sim), []);
  const failed = sim.paths.find((p) => p.conditions.includes('device_register() fails'))!;
  assert.ok(failed.steps.some((s) => /kfree\(p\): p no longer points at the object/.test(s.event)));
  // The delayed cleanup still runs on the first object (and frees it), after the function.
  const last = failed.steps.at(-1)!;
  assert.equal(last.actor, 'release-worker');
  assert.equal(last.object, 'p');
  assert.equal(sim.objects.length, 1);
});

test('a bare kobject gets the attributes attached to it, and module code gone is a use-after-free', async () => {
  const text = `static struct kobject *k;
static int v;
static ssize_t v_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\\n", v);
}
static struct kobj_attribute v_attribute = __ATTR_RO(v);
static struct attribute *attrs[] = { &v_attribute.attr, NULL };
static struct attribute_group group = { .attrs = attrs };
static int __init m_init(void)
{
	k = kobject_create_and_add("m", kernel_kobj);
	if (!k)
		return -ENOMEM;
	return sysfs_create_group(k, &group);
}
static void __exit m_exit(void)
{
	kobject_put(k);
}
module_init(m_init);
module_exit(m_exit);
MODULE_LICENSE("GPL");
`;
  const bad = await simulateText(text, 'm_exit', DELAYED);
  const v = bad.paths[0]!.violations;
  assert.ok(
    v.some((x) => x.kind === 'use-after-free' && x.actor === 'sysfs-reader' && /v_show/.test(x.message)),
  );
  const fixed = await simulateText(
    text.replace('kobject_put(k);', 'kobject_del(k);\n\tkobject_put(k);'),
    'm_exit',
    DELAYED,
  );
  assert.deepEqual(kinds(fixed), [], 'kobject_del() first removes the files before the module goes');
});
