# A thin wrapper over meson: `make demo` and `make test` are the two set-up commands.
BUILD ?= build
ASAN_BUILD ?= build-asan
SETUP_FLAGS := $(if $(CI),-Dwerror=true,)

.PHONY: all deps build demo test clean install

all: build

deps:
	@scripts/install-deps

build: deps
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) $(SETUP_FLAGS)
	@ninja -C $(BUILD)

demo: build
	@scripts/demo $(BUILD)/cmd/secex

test: deps
	@scripts/run-tests

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
