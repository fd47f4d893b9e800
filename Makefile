# SPDX-License-Identifier: GPL-2.0
# kwasm: the commands people run. Kbuild (the module's build) is in ./Kbuild.
#
#   make check          the whole suite from nothing: setup, host tests, QEMU + bats
#   make demo           boots the module in QEMU and shows probes working
#   make shell          a root shell in that machine; FILES="a.wasm ..." go to its /root
#   make bench          per-hit cost in QEMU, side by side in one run
#   make fuzz           the engine's fuzz targets, FUZZ_SECONDS (600) each
#   make KDIR=<tree>    builds kwasm.ko against a built, Rust-enabled kernel tree
#   make                builds kwasm.ko against the cached test kernel (made if needed)

include scripts/versions

# Everything slow lives here, outside the clone, keyed by versions and config.
KWASM_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kwasm
export KWASM_CACHE

.PHONY: all modules check demo shell bench fuzz setup kernel clean help

ifneq ($(KDIR),)
all modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
else
all modules: setup
	./scripts/build-module.sh "$$(./scripts/build-kernel.sh)" build/staging
endif

check:
	./scripts/check.sh

demo:
	./scripts/demo.sh

shell:
	./scripts/shell.sh $(FILES)

bench:
	./scripts/bench.sh

# The engine's fuzz targets, FUZZ_SECONDS each (make check runs them briefly).
FUZZ_SECONDS ?= 600
fuzz:
	./scripts/fuzz.sh $(FUZZ_SECONDS)

setup:
	./scripts/setup-host.sh

# Prints the path of the cached test kernel tree, building it if needed.
kernel: setup
	@./scripts/build-kernel.sh

clean:
	$(if $(KDIR),$(MAKE) -C $(KDIR) M=$(CURDIR) clean,)
	rm -rf build target
	find . \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name 'modules.order' -o -name 'Module.symvers' \
		-o -name '*.rmeta' \) -not -path './.git/*' -delete

help:
	@sed -n '2,12p' Makefile
