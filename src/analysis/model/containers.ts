// Well-known kernel structs that embed a struct device or a kobject, so that file facts can see that
// `struct foo { struct platform_device pdev; }` carries a device (at `pdev.dev`) without the headers.
// Checked against the Linux 6.12 headers named beside each entry. Only the member whose release frees
// the container is listed: a secondary `struct cdev` (rtc_device.char_dev, gpio_device.chrdev,
// counter_device.chrdev, tee_device.cdev) has its own, separate lifetime and is left out on purpose.
// Structs that only point at a device (watchdog_device, led_classdev, usb_bus) embed nothing.

export interface KnownEmbedding {
  /** Member path from the start of the container to the refcounted object (`dev`, `mdio.dev`). */
  member: string;
  kind: 'device' | 'kobject';
  /**
   * True when the object sits at offset 0, so a pointer to it is also a pointer to the container.
   * False for structs marked `__randomize_layout`, whose field order the compiler may shuffle.
   */
  first: boolean;
}

export const KNOWN_CONTAINERS: Record<string, KnownEmbedding[]> = {
  // include/linux/platform_device.h
  platform_device: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/i2c.h
  i2c_client: [{ member: 'dev', kind: 'device', first: false }],
  i2c_adapter: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/spi/spi.h
  spi_device: [{ member: 'dev', kind: 'device', first: true }],
  spi_controller: [{ member: 'dev', kind: 'device', first: true }],
  // include/linux/pci.h
  pci_dev: [{ member: 'dev', kind: 'device', first: false }],
  pci_bus: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/usb.h
  usb_device: [{ member: 'dev', kind: 'device', first: false }],
  usb_interface: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/auxiliary_bus.h
  auxiliary_device: [{ member: 'dev', kind: 'device', first: true }],
  // include/linux/mdio.h
  mdio_device: [{ member: 'dev', kind: 'device', first: true }],
  // include/linux/phy.h (phy_device starts with its mdio_device, which starts with its device)
  phy_device: [{ member: 'mdio.dev', kind: 'device', first: true }],
  mii_bus: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/netdevice.h
  net_device: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/input.h
  input_dev: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/backlight.h
  backlight_device: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/power_supply.h
  power_supply: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/rtc.h
  rtc_device: [{ member: 'dev', kind: 'device', first: true }],
  // drivers/gpio/gpiolib.h
  gpio_device: [{ member: 'dev', kind: 'device', first: true }],
  // include/linux/iio/iio.h
  iio_dev: [{ member: 'dev', kind: 'device', first: false }],
  // include/scsi/scsi_device.h, include/scsi/scsi_host.h
  scsi_device: [{ member: 'sdev_gendev', kind: 'device', first: false }],
  scsi_target: [{ member: 'dev', kind: 'device', first: false }],
  Scsi_Host: [{ member: 'shost_gendev', kind: 'device', first: false }],
  // include/linux/mmc/host.h, card.h, sdio_func.h
  mmc_host: [{ member: 'class_dev', kind: 'device', first: false }],
  mmc_card: [{ member: 'dev', kind: 'device', first: false }],
  sdio_func: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/serio.h
  serio: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/amba/bus.h
  amba_device: [{ member: 'dev', kind: 'device', first: true }],
  // include/linux/virtio.h
  virtio_device: [{ member: 'dev', kind: 'device', first: false }],
  // include/drm/drm_mipi_dsi.h
  mipi_dsi_device: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/mtd/mtd.h
  mtd_info: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/hid.h
  hid_device: [{ member: 'dev', kind: 'device', first: false }],
  // include/acpi/acpi_bus.h
  acpi_device: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/pwm.h
  pwm_chip: [{ member: 'dev', kind: 'device', first: true }],
  // include/linux/counter.h
  counter_device: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/regulator/driver.h
  regulator_dev: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/blk_types.h
  block_device: [{ member: 'bd_device', kind: 'device', first: false }],
  // include/sound/core.h
  snd_card: [{ member: 'card_dev', kind: 'device', first: false }],
  // include/linux/rpmsg.h, slimbus.h, soundwire/sdw.h
  rpmsg_device: [{ member: 'dev', kind: 'device', first: true }],
  slim_device: [{ member: 'dev', kind: 'device', first: true }],
  sdw_slave: [{ member: 'dev', kind: 'device', first: false }],
  // include/linux/usb/typec_altmode.h, wmi.h, serdev.h
  typec_altmode: [{ member: 'dev', kind: 'device', first: true }],
  wmi_device: [{ member: 'dev', kind: 'device', first: true }],
  serdev_device: [{ member: 'dev', kind: 'device', first: true }],
  // drivers/thermal/thermal_core.h
  thermal_zone_device: [{ member: 'device', kind: 'device', first: false }],
  // include/linux/kobject.h: kset { list; list_lock; kobj; … } __randomize_layout
  kset: [{ member: 'kobj', kind: 'kobject', first: false }],
  // include/linux/module.h: declared first, but the struct is __randomize_layout
  module_kobject: [{ member: 'kobj', kind: 'kobject', first: false }],
  // include/linux/cdev.h: declared first, but the struct is __randomize_layout
  cdev: [{ member: 'kobj', kind: 'kobject', first: false }],
  // include/linux/cpufreq.h
  cpufreq_policy: [{ member: 'kobj', kind: 'kobject', first: false }],
};

/**
 * Kernel helpers that convert an embedded object back to its container (the `container_of` they
 * expand to), checked against the 6.12 headers: `to_platform_device(dev)` → platform_device at `dev`.
 */
export const KNOWN_CONVERTERS: Record<string, { type: string; member: string }> = {
  kobj_to_dev: { type: 'device', member: 'kobj' },
  to_kset: { type: 'kset', member: 'kobj' },
  to_platform_device: { type: 'platform_device', member: 'dev' },
  to_i2c_client: { type: 'i2c_client', member: 'dev' },
  to_spi_device: { type: 'spi_device', member: 'dev' },
  to_pci_dev: { type: 'pci_dev', member: 'dev' },
  to_usb_device: { type: 'usb_device', member: 'dev' },
  to_usb_interface: { type: 'usb_interface', member: 'dev' },
  to_auxiliary_dev: { type: 'auxiliary_device', member: 'dev' },
  to_mdio_device: { type: 'mdio_device', member: 'dev' },
  to_phy_device: { type: 'phy_device', member: 'mdio.dev' },
  to_mii_bus: { type: 'mii_bus', member: 'dev' },
  to_net_dev: { type: 'net_device', member: 'dev' },
  to_input_dev: { type: 'input_dev', member: 'dev' },
  to_backlight_device: { type: 'backlight_device', member: 'dev' },
  to_power_supply: { type: 'power_supply', member: 'dev' },
  to_rtc_device: { type: 'rtc_device', member: 'dev' },
  to_gpio_device: { type: 'gpio_device', member: 'dev' },
  to_scsi_device: { type: 'scsi_device', member: 'sdev_gendev' },
  to_scsi_target: { type: 'scsi_target', member: 'dev' },
  to_serio_port: { type: 'serio', member: 'dev' },
  to_amba_device: { type: 'amba_device', member: 'dev' },
  dev_to_virtio: { type: 'virtio_device', member: 'dev' },
  to_mipi_dsi_device: { type: 'mipi_dsi_device', member: 'dev' },
  to_acpi_device: { type: 'acpi_device', member: 'dev' },
  to_wmi_device: { type: 'wmi_device', member: 'dev' },
  dev_to_sdio_func: { type: 'sdio_func', member: 'dev' },
};
