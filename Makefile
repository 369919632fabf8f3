# Convenience targets around meson. `make check` and `make demo` install
# dependencies themselves, so they work on a fresh Debian machine.
BUILD ?= build
MESON_TEST_ARGS ?=

.PHONY: all deps guest check check-unit demo bench clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	./configure --builddir=$(BUILD)

deps:
	scripts/install-deps.sh

# The Debian kernel + busybox test guest (cached in .cache/guest); tests that need it
# say SKIP when it could not be fetched (offline), so a failure here is not fatal.
guest: deps
	-scripts/fetch-guest.sh

check: deps guest
	$(MAKE) all
	meson test -C $(BUILD) --print-errorlogs $(MESON_TEST_ARGS)

check-unit: deps
	$(MAKE) all
	meson test -C $(BUILD) --print-errorlogs --suite unit $(MESON_TEST_ARGS)

demo: deps
	$(MAKE) all
	scripts/demo.sh $(BUILD)

bench: deps
	$(MAKE) all
	bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
