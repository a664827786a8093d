# A thin wrapper over meson: `make demo` and `make test` are the two set-up commands;
# `make fuzz FUZZ_SECONDS=N` fuzzes every parser for N seconds each.
BUILD ?= build
ASAN_BUILD ?= build-clang
FUZZ_SECONDS ?= 600
SETUP_FLAGS := $(if $(CI),-Dwerror=true,)

.PHONY: all deps build demo test fuzz clean install

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

# A long campaign: every libFuzzer target for FUZZ_SECONDS each; new corpus entries are kept
# in build-fuzz/corpus/<target>/.
fuzz: deps
	@scripts/fuzz $(FUZZ_SECONDS)

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-asan build-fuzz
