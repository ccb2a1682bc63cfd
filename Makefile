# SPDX-License-Identifier: GPL-2.0-only
#
# gpucore: out-of-tree build and the project's entry points.
# Kbuild (read by the kernel's build system) lists what is built; this file is
# only read by a plain `make` in this directory.
#
#   make demo      build, boot Debian's kernel in a VM, run the AGX demo client
#   make check     the whole test suite, ending in "N passed, N failed"
#
# Other targets: modules, kunit, kcsan, e2e, lint, docs, bench, coccicheck,
# fuzz, mutate (not part of check), clean. KDIR= picks another kernel build
# directory; GPUCORE_DEBUG=n builds without debug tracking.

GPUCORE_DEBUG ?= y
export GPUCORE_DEBUG

.PHONY: all modules kunit kcsan e2e lint docs check demo bench coccicheck fuzz mutate clean

all: modules

modules:
	@scripts/modules.sh

kunit:
	@scripts/kunit.sh

kcsan:
	@scripts/kunit.sh --kcsan

e2e: modules
	@scripts/e2e.sh

lint:
	@scripts/lint.sh

docs:
	@scripts/docs.sh

check:
	@scripts/check.sh

demo: modules
	@scripts/e2e.sh --demo

bench:
	@rc=0; for k in 6.1 6.12 7.3; do \
		scripts/bench.sh $$([ $$k = 6.1 ] || echo --kernel $$k) || rc=1; \
	done; exit $$rc

coccicheck:
	@scripts/coccicheck.sh $(if $(TREE),--tree $(TREE))

# The long reliability runs on the debug kernel, then the data-race run.
fuzz:
	@GPUCORE_E2E_LONG=1 GPUCORE_E2E_TIMEOUT=6600 scripts/e2e.sh --debug; \
	rc=$$?; scripts/kunit.sh --kcsan || rc=1; exit $$rc

mutate:
	@scripts/mutate.sh

clean:
	@if [ -d build ]; then rm -rf build; fi
	@find . -path ./.git -prune -o \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' \
		-o -name 'Module.symvers' -o -name '*.o.d' \) -print0 | xargs -0 rm -f
