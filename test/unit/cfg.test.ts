// Control flow the kernel writes with macros and noreturn calls: a path after BUG() does not exist,
// scoped_guard() runs its body once, iterator macros may run zero or more times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAnalyzer } from './helpers';

const HEAD = `struct foo { int id; struct device dev; };
static void foo_release(struct device *dev)
{
\tkfree(container_of(dev, struct foo, dev));
}
`;

test('nothing after BUG() is a path', async () => {
  const a = await loadAnalyzer();
  const body = (tail: string) => `${HEAD}
static int foo_add(void)
{
\tstruct foo *f = kzalloc(sizeof(*f), GFP_KERNEL);

\tif (!f)
\t\treturn -ENOMEM;
\tf->dev.release = foo_release;
\tif (device_register(&f->dev)) {
\t\t${tail}
\t\tkfree(f);
\t\treturn -EIO;
\t}
\treturn 0;
}
`;
  assert.deepEqual(
    a.analyze(body('pr_err("no\\n");')).findings.map((f) => f.rule),
    ['kfree-instead-of-put'],
  );
  assert.deepEqual(a.analyze(body('BUG();')).findings, []);
});

test('scoped_guard() runs its body exactly once; an iterator macro may run it again', async () => {
  const a = await loadAnalyzer();
  const text = (macro: string) => `
static int foo_poke(struct device *parent, const char *name)
{
\tstruct device *found = NULL;

\t${macro} {
\t\tfound = device_find_child_by_name(parent, name);
\t}
\tif (found)
\t\tput_device(found);
\treturn 0;
}
`;
  assert.deepEqual(a.analyze(text('scoped_guard(mutex, &foo_lock)')).findings, []);
  // A second turn would overwrite the first turn's reference without a put.
  const loop = a.analyze(text('list_for_each_entry(pos, &foo_list, node)')).findings;
  assert.deepEqual(
    loop.map((f) => [f.rule, f.messageId]),
    [['leaked-reference', 'leakAtOverwrite']],
  );
});

test('a field tested twice on one path keeps its value until a call may change it', async () => {
  const a = await loadAnalyzer();
  const text = (between: string) => `${HEAD}
static int foo_attach(struct foo_ctx *ctx)
{
\tstruct foo *f = kzalloc(sizeof(*f), GFP_KERNEL);

\tif (!f)
\t\treturn -ENOMEM;
\tf->dev.release = foo_release;
\tif (ctx->managed)
\t\tdevice_initialize(&f->dev);
\t${between}
\tif (ctx->managed)
\t\tput_device(&f->dev);
\telse
\t\tkfree(f);
\treturn -EIO;
}
`;
  // Same test, same answer: the kfree() branch never has an initialized device.
  assert.deepEqual(a.analyze(text('f->id = 1;')).findings, []);
  // foo_setup(ctx) may change ctx->managed: the second test could disagree with the first.
  assert.deepEqual(
    a
      .analyze(text('foo_setup(ctx);'))
      .findings.map((f) => f.rule)
      .sort(),
    ['kfree-instead-of-put', 'put-before-init'],
  );
});
