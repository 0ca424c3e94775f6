# kunit.py --qemu_config for `make nommu`: a riscv64 kernel without an MMU (M-mode, no SBI
# firmware) on QEMU's virt machine. kunit.py merges this kconfig with the suites' kunit/.kunitconfig
# and checks that every option made it into .config.
#
# PAGE_POISONING with page_poison=1 fills every freed page with 0xaa: memory that mmap() handed out
# without zeroing it reads back as poison, not as a lucky zero (mm_populate_nommu checks both).
# SYSVIPC is for shmat().
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='riscv',
			   kconfig='''
# CONFIG_MMU is not set
CONFIG_NONPORTABLE=y
CONFIG_ARCH_VIRT=y
# CONFIG_SMP is not set
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SERIAL_OF_PLATFORM=y
CONFIG_PAGE_POISONING=y
CONFIG_SYSVIPC=y''',
			   qemu_arch='riscv64',
			   kernel_path='arch/riscv/boot/Image',
			   kernel_command_line='console=ttyS0 page_poison=1',
			   extra_qemu_params=['-machine', 'virt', '-cpu', 'rv64', '-bios', 'none'])
