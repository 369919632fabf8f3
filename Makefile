# Convenience targets around meson. `make check` and `make demo` install
# dependencies themselves, so they work on a fresh Debian machine.
BUILD ?= build
MESON_TEST_ARGS ?=

.PHONY: all deps check check-unit demo bench clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	./configure --builddir=$(BUILD)

deps:
	scripts/install-deps.sh

check: deps
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
