// The kernel lifetime API as data: which argument each call acts on, which lifecycle transitions it
// makes, how it reports failure and what the object holds after a failure. Checked against Linux 6.12
// (lib/kobject.c, drivers/base/core.c, drivers/base/platform.c, include/linux/kref.h).
// Every consumer (rules, simulator, CLI) reads this table through model/transitions.ts.

/** Primitive lifecycle transitions, applied in order. */
export type Op =
  | 'alloc' // memory owned by the caller, nothing initialized
  | 'init' // refcount 1, release armed
  | 'add' // visible in sysfs (parent pinned)
  | 'get' // +1 reference
  | 'put' // −1 reference; the last one runs the release
  | 'del' // leaves sysfs synchronously
  | 'free' // the memory itself is freed (kfree)
  | 'reset' // failure already undid the init: the caller frees the memory, no put
  | 'escape'; // ownership handed on (stored, returned, passed to a sink)

/** How a call reports failure. */
export type Failure = 'errno' | 'null' | 'errptr' | 'errptr-or-null';

/** Which kind of refcounted thing a call works on: decides the put to suggest. */
export type Family = 'kobject' | 'device' | 'platform' | 'kset' | 'kref' | 'memory' | 'reference' | 'sink';

export interface ApiEntry {
  /** Index of the argument that is (or points into) the object; 'ret' for the returned pointer. */
  object: number | 'ret';
  ops: Op[];
  /** Transitions on failure (default: none — the object is as before the call). */
  onFailure?: Op[];
  fails?: Failure;
  family: Family;
  /** The call that drops what this one creates (for messages and fixes). */
  put?: string;
  /** The memory comes from devres (freed at unbind). */
  devm?: boolean;
  /** Index of an argument whose reference the call drops (`pci_get_device(v, d, from)` puts `from`). */
  consumes?: number;
}

const errno = 'errno' as const;

/** The built-in table. User configuration may add entries of the same shape. */
export const API_TABLE: Readonly<Record<string, ApiEntry>> = {
  // kobject (lib/kobject.c)
  kobject_init: { object: 0, ops: ['init'], family: 'kobject', put: 'kobject_put' },
  kobject_add: {
    object: 0,
    ops: ['add'],
    fails: errno,
    onFailure: [],
    family: 'kobject',
    put: 'kobject_put',
  },
  kobject_init_and_add: {
    object: 0,
    ops: ['init', 'add'],
    fails: errno,
    onFailure: ['init'],
    family: 'kobject',
    put: 'kobject_put',
  },
  kobject_get: { object: 0, ops: ['get'], fails: 'null', family: 'kobject', put: 'kobject_put' },
  kobject_put: { object: 0, ops: ['put'], family: 'kobject' },
  kobject_del: { object: 0, ops: ['del'], family: 'kobject' },
  kobject_create_and_add: {
    object: 'ret',
    ops: ['init', 'add'],
    fails: 'null',
    family: 'kobject',
    put: 'kobject_put',
  },
  // kset (lib/kobject.c): since 6.2 a failed kset_register frees the name itself; the caller kfrees.
  kset_register: {
    object: 0,
    ops: ['init', 'add'],
    fails: errno,
    onFailure: ['init', 'reset'],
    family: 'kset',
    put: 'kset_unregister',
  },
  kset_unregister: { object: 0, ops: ['del', 'put'], family: 'kset' },
  kset_create_and_add: {
    object: 'ret',
    ops: ['init', 'add'],
    fails: 'null',
    family: 'kset',
    put: 'kset_unregister',
  },
  kset_get: { object: 0, ops: ['get'], family: 'kset', put: 'kset_put' },
  kset_put: { object: 0, ops: ['put'], family: 'kset' },
  // struct device (drivers/base/core.c)
  device_initialize: { object: 0, ops: ['init'], family: 'device', put: 'put_device' },
  device_add: { object: 0, ops: ['add'], fails: errno, onFailure: [], family: 'device', put: 'put_device' },
  device_register: {
    object: 0,
    ops: ['init', 'add'],
    fails: errno,
    onFailure: ['init'],
    family: 'device',
    put: 'put_device',
  },
  // get_device(NULL) is NULL: `if (!get_device(dev)) return;` holds nothing on that branch.
  get_device: { object: 0, ops: ['get'], fails: 'null', family: 'device', put: 'put_device' },
  put_device: { object: 0, ops: ['put'], family: 'device' },
  device_del: { object: 0, ops: ['del'], family: 'device' },
  device_unregister: { object: 0, ops: ['del', 'put'], family: 'device' },
  // platform devices (drivers/base/platform.c)
  platform_device_alloc: {
    object: 'ret',
    ops: ['init'],
    fails: 'null',
    family: 'platform',
    put: 'platform_device_put',
  },
  platform_device_add: {
    object: 0,
    ops: ['add'],
    fails: errno,
    onFailure: [],
    family: 'platform',
    put: 'platform_device_put',
  },
  platform_device_register: {
    object: 0,
    ops: ['init', 'add'],
    fails: errno,
    onFailure: ['init'],
    family: 'platform',
    put: 'platform_device_put',
  },
  platform_device_put: { object: 0, ops: ['put'], family: 'platform' },
  platform_device_del: { object: 0, ops: ['del'], family: 'platform' },
  platform_device_unregister: { object: 0, ops: ['del', 'put'], family: 'platform' },
  // kref (include/linux/kref.h)
  kref_init: { object: 0, ops: ['init'], family: 'kref', put: 'kref_put' },
  kref_get: { object: 0, ops: ['get'], family: 'kref', put: 'kref_put' },
  kref_put: { object: 0, ops: ['put'], family: 'kref' },
  // memory
  kfree: { object: 0, ops: ['free'], family: 'memory' },
  kvfree: { object: 0, ops: ['free'], family: 'memory' },
  kfree_sensitive: { object: 0, ops: ['free'], family: 'memory' },
  kvfree_sensitive: { object: 0, ops: ['free'], family: 'memory' },
  vfree: { object: 0, ops: ['free'], family: 'memory' },
  devm_kfree: { object: 1, ops: ['free'], family: 'memory' },
  kzalloc: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kfree' },
  kmalloc: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kfree' },
  kcalloc: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kfree' },
  kmalloc_array: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kfree' },
  kzalloc_node: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kfree' },
  kmalloc_node: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kfree' },
  kvzalloc: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kvfree' },
  kvmalloc: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kvfree' },
  kmemdup: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'kfree' },
  vzalloc: { object: 'ret', ops: ['alloc'], fails: 'null', family: 'memory', put: 'vfree' },
  devm_kzalloc: {
    object: 'ret',
    ops: ['alloc'],
    fails: 'null',
    family: 'memory',
    devm: true,
    put: 'devm_kfree',
  },
  devm_kmalloc: {
    object: 'ret',
    ops: ['alloc'],
    fails: 'null',
    family: 'memory',
    devm: true,
    put: 'devm_kfree',
  },
  devm_kcalloc: {
    object: 'ret',
    ops: ['alloc'],
    fails: 'null',
    family: 'memory',
    devm: true,
    put: 'devm_kfree',
  },
  // ownership sinks: the object is stored somewhere that outlives the call
  dev_set_drvdata: { object: 1, ops: ['escape'], family: 'sink' },
  platform_set_drvdata: { object: 1, ops: ['escape'], family: 'sink' },
  i2c_set_clientdata: { object: 1, ops: ['escape'], family: 'sink' },
  spi_set_drvdata: { object: 1, ops: ['escape'], family: 'sink' },
  pci_set_drvdata: { object: 1, ops: ['escape'], family: 'sink' },
  usb_set_intfdata: { object: 1, ops: ['escape'], family: 'sink' },
  auxiliary_set_drvdata: { object: 1, ops: ['escape'], family: 'sink' },
  list_add: { object: 0, ops: ['escape'], family: 'sink' },
  list_add_tail: { object: 0, ops: ['escape'], family: 'sink' },
  list_add_rcu: { object: 0, ops: ['escape'], family: 'sink' },
  list_add_tail_rcu: { object: 0, ops: ['escape'], family: 'sink' },
  hlist_add_head: { object: 0, ops: ['escape'], family: 'sink' },
  hlist_add_head_rcu: { object: 0, ops: ['escape'], family: 'sink' },
  xa_store: { object: 2, ops: ['escape'], family: 'sink' },
  xa_alloc: { object: 2, ops: ['escape'], family: 'sink' },
  xa_insert: { object: 2, ops: ['escape'], family: 'sink' },
  idr_alloc: { object: 1, ops: ['escape'], family: 'sink' },
  idr_alloc_cyclic: { object: 1, ops: ['escape'], family: 'sink' },
  radix_tree_insert: { object: 2, ops: ['escape'], family: 'sink' },
  request_irq: { object: 4, ops: ['escape'], family: 'sink' },
  request_threaded_irq: { object: 5, ops: ['escape'], family: 'sink' },
  devm_request_irq: { object: 5, ops: ['escape'], family: 'sink' },
  devm_request_threaded_irq: { object: 6, ops: ['escape'], family: 'sink' },
  devm_add_action: { object: 2, ops: ['escape'], family: 'sink' },
  devm_add_action_or_reset: { object: 2, ops: ['escape'], family: 'sink' },
  kthread_run: { object: 1, ops: ['escape'], family: 'sink' },
  kthread_create: { object: 1, ops: ['escape'], family: 'sink' },
  no_free_ptr: { object: 0, ops: ['escape'], family: 'sink' },
  return_ptr: { object: 0, ops: ['escape'], family: 'sink' },
  rcu_assign_pointer: { object: 1, ops: ['escape'], family: 'sink' },
  call_rcu: { object: 0, ops: ['escape'], family: 'sink' },
  schedule_work: { object: 0, ops: ['escape'], family: 'sink' },
  queue_work: { object: 1, ops: ['escape'], family: 'sink' },
};

/**
 * Functions that hand the caller a reference (model doc §4). Each returns a pointer to a refcounted
 * object, NULL (or an ERR_PTR) when there is none; the named put drops it.
 */
export const LOOKUP_TABLE: Readonly<Record<string, { put: string; fails: Failure; consumes?: number }>> = {
  device_find_child: { put: 'put_device', fails: 'null' },
  device_find_child_by_name: { put: 'put_device', fails: 'null' },
  device_find_any_child: { put: 'put_device', fails: 'null' },
  get_dev_from_fwnode: { put: 'put_device', fails: 'null' },
  bus_find_device: { put: 'put_device', fails: 'null' },
  bus_find_device_by_name: { put: 'put_device', fails: 'null' },
  bus_find_device_by_of_node: { put: 'put_device', fails: 'null' },
  bus_find_device_by_fwnode: { put: 'put_device', fails: 'null' },
  bus_find_device_by_devt: { put: 'put_device', fails: 'null' },
  bus_find_device_by_acpi_dev: { put: 'put_device', fails: 'null' },
  bus_find_next_device: { put: 'put_device', fails: 'null' },
  bus_get_dev_root: { put: 'put_device', fails: 'null' },
  class_find_device: { put: 'put_device', fails: 'null' },
  class_find_device_by_name: { put: 'put_device', fails: 'null' },
  class_find_device_by_of_node: { put: 'put_device', fails: 'null' },
  class_find_device_by_fwnode: { put: 'put_device', fails: 'null' },
  class_find_device_by_devt: { put: 'put_device', fails: 'null' },
  driver_find_device: { put: 'put_device', fails: 'null' },
  driver_find_device_by_name: { put: 'put_device', fails: 'null' },
  driver_find_device_by_of_node: { put: 'put_device', fails: 'null' },
  driver_find_device_by_fwnode: { put: 'put_device', fails: 'null' },
  driver_find_next_device: { put: 'put_device', fails: 'null' },
  of_find_device_by_node: { put: 'put_device', fails: 'null' },
  platform_find_device_by_driver: { put: 'put_device', fails: 'null' },
  auxiliary_find_device: { put: 'put_device', fails: 'null' },
  of_find_i2c_device_by_node: { put: 'put_device', fails: 'null' },
  of_find_i2c_adapter_by_node: { put: 'put_device', fails: 'null' },
  of_phy_find_device: { put: 'put_device', fails: 'null' },
  of_mdio_find_bus: { put: 'put_device', fails: 'null' },
  of_find_net_device_by_node: { put: 'put_device', fails: 'null' },
  of_find_backlight_by_node: { put: 'put_device', fails: 'null' },
  i2c_get_adapter: { put: 'i2c_put_adapter', fails: 'null' },
  // drivers/pci/search.c: the pci_get_*() iterators drop the reference on `from` themselves.
  pci_get_device: { put: 'pci_dev_put', fails: 'null', consumes: 2 },
  pci_get_slot: { put: 'pci_dev_put', fails: 'null' },
  pci_get_domain_bus_and_slot: { put: 'pci_dev_put', fails: 'null' },
  pci_get_class: { put: 'pci_dev_put', fails: 'null', consumes: 1 },
  pci_dev_get: { put: 'pci_dev_put', fails: 'null' },
  usb_get_dev: { put: 'usb_put_dev', fails: 'null' },
  power_supply_get_by_name: { put: 'power_supply_put', fails: 'null' },
  gpio_device_find: { put: 'gpio_device_put', fails: 'null' },
  gpio_device_find_by_label: { put: 'gpio_device_put', fails: 'null' },
  gpio_device_find_by_fwnode: { put: 'gpio_device_put', fails: 'null' },
  gpio_device_get: { put: 'gpio_device_put', fails: 'null' },
  scsi_host_lookup: { put: 'scsi_host_put', fails: 'null' },
  kset_find_obj: { put: 'kobject_put', fails: 'null' },
};
