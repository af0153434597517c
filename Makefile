# mirrorkit — build, test and demo.
#
#   make            build every tool into bin/
#   make test       install missing Debian packages, build, run unit and Bats tests
#   make demo       mirror a sample release between two local registries
#   make asan       the same tests on an AddressSanitizer + UBSan build
#   make tsan       the same tests on a ThreadSanitizer build
#   make format     reformat the sources with clang-format (make format-check: only check)
#   make bench      mirrorkit against skopeo and a raw bound (bench/run.sh; not a test)
#   make fuzz       libFuzzer (clang) on every parser of untrusted bytes, FUZZ_SECONDS each
#                   (make fuzz-replay, part of make test: the corpora under ASan + UBSan)
#   make deps       install the Debian packages the build and tests need
#
# Plain GNU make: objects and dependency files under $(BUILD)/, one static
# library from lib/, thin tools linked against it.

CXX       ?= g++
BUILD     ?= build
BIN       ?= bin
OPT       ?= -O2
SANITIZE  ?=
CXXFLAGS  ?= $(OPT) -g
# What the build needs whatever the user's CXXFLAGS say (`make CXXFLAGS=-O0`
# replaces CXXFLAGS, not these).
REQUIRED_CXXFLAGS := -std=c++20 -Wall -Wextra -Wno-missing-field-initializers -pthread -Ilib
ALL_CXXFLAGS = $(REQUIRED_CXXFLAGS) $(CXXFLAGS) $(SANITIZE)
ALL_LDFLAGS = -pthread $(LDFLAGS) $(SANITIZE)
LIBS      := -lcurl -lssl -lcrypto -lsimdjson -larchive -lgpgme -lsqlite3 -lyaml-cpp
TOOL_LIBS := -lboost_program_options
TEST_LIBS := -lgtest -lgtest_main

LIB_SRCS  := $(sort $(filter-out %_test.cc,$(wildcard lib/*/*.cc)))
TEST_SRCS := $(sort $(wildcard lib/*/*_test.cc))
# Tests that start a real registry or HTTP server: their own binary.
INTEG_SRCS := $(sort $(wildcard tests/integration/*_test.cc))
TOOLS     := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard tools/*/main.cpp)))))
# Compiled plugins: plugins/NAME/main.cpp builds $(BIN)/mirrorkit-NAME (the
# front command and the storage resolver find them by that name); script
# plugins are plugins/mirrorkit-NAME themselves.
PLUGINS   := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard plugins/*/main.cpp)))))
PROGRAMS  := $(TOOLS) $(PLUGINS:%=mirrorkit-%)
LIB_OBJS  := $(LIB_SRCS:%.cc=$(BUILD)/%.o)
TEST_OBJS := $(TEST_SRCS:%.cc=$(BUILD)/%.o)
INTEG_OBJS := $(INTEG_SRCS:%.cc=$(BUILD)/%.o)
LIBRARY   := $(BUILD)/libmirrorkit.a
TOOL_BINS := $(PROGRAMS:%=$(BIN)/%)
UNIT      := $(BUILD)/unit_tests
INTEG     := $(BUILD)/integration_tests
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)

# Debian packages: build, tests (registry, independent clients), run time;
# time and bc for the benchmark (make bench); strace injects I/O errors in tests;
# GPGME verifies release signatures (gnupg makes test keys); sqlite3 and
# yaml-cpp read Operator catalogs (sqlite index images, YAML file-based ones).
DEB_PACKAGES := g++ make pkg-config libcurl4-openssl-dev libssl-dev libsimdjson-dev \
  libboost-program-options-dev libarchive-dev libgtest-dev docker-registry skopeo umoci \
  parallel bats jq curl openssl apache2-utils python3 python3-yaml ca-certificates man-db groff-base \
  clang-format time bc strace libgpgme-dev gnupg libsqlite3-dev libyaml-cpp-dev sqlite3

.PHONY: all test unit integration bats demo asan tsan deps clean format format-check
all: $(TOOL_BINS)

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -MMD -MP -c $< -o $@

$(LIBRARY): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/%: $(BUILD)/tools/%/main.o $(LIBRARY)
	@mkdir -p $(BIN)
	$(CXX) $(ALL_LDFLAGS) $< $(LIBRARY) $(TOOL_LIBS) $(LIBS) -o $@

$(BIN)/mirrorkit-%: $(BUILD)/plugins/%/main.o $(LIBRARY)
	@mkdir -p $(BIN)
	$(CXX) $(ALL_LDFLAGS) $< $(LIBRARY) $(TOOL_LIBS) $(LIBS) -o $@

$(UNIT): $(TEST_OBJS) $(LIBRARY)
	$(CXX) $(ALL_LDFLAGS) $(TEST_OBJS) $(LIBRARY) $(TEST_LIBS) $(LIBS) -o $@

$(INTEG): $(INTEG_OBJS) $(LIBRARY)
	$(CXX) $(ALL_LDFLAGS) $(INTEG_OBJS) $(LIBRARY) $(TEST_LIBS) $(LIBS) -o $@

# Installs only what is missing; a fresh machine needs its package lists first.
# While docker-registry is being installed, policy-rc.d keeps its system
# service from starting: Debian's default config listens on every interface,
# and the tests run registries of their own.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  guard=""; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null && \
	    $$SUDO chmod 755 /usr/sbin/policy-rc.d && guard=1; \
	  fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  rc=$$?; [ -z "$$guard" ] || $$SUDO rm -f /usr/sbin/policy-rc.d; exit $$rc; \
	fi

unit: $(UNIT)
	$(UNIT) --gtest_brief=1

integration: $(INTEG)
	$(INTEG) --gtest_brief=1

bats: $(TOOL_BINS)
	MK_BIN=$(abspath $(BIN)) bats --jobs 2 tests

test: deps
	$(MAKE) -j$(JOBS) $(TOOL_BINS) $(UNIT) $(INTEG) $(FUZZ_REPLAY_BINS)
	$(MAKE) --no-print-directory fuzz-replay
	UNIT=$(abspath $(UNIT)) INTEG=$(abspath $(INTEG)) MK_BIN=$(abspath $(BIN)) tests/run-all.sh

# Debug build with sanitizers, in its own directories, running the same tests.
asan: deps
	$(MAKE) -j$(JOBS) BUILD=build-asan BIN=build-asan/bin OPT=-O1 \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  build-asan/unit_tests build-asan/integration_tests $(PROGRAMS:%=build-asan/bin/%)
	UNIT=$(abspath build-asan/unit_tests) INTEG=$(abspath build-asan/integration_tests) \
	  MK_BIN=$(abspath build-asan/bin) tests/run-all.sh

# ThreadSanitizer: data races in the copy workers, the shared registry
# clients and caches. Slower; not part of `make test`.
tsan: deps
	$(MAKE) -j$(JOBS) BUILD=build-tsan BIN=build-tsan/bin OPT=-O1 \
	  SANITIZE="-fsanitize=thread -fno-omit-frame-pointer" \
	  build-tsan/unit_tests build-tsan/integration_tests $(PROGRAMS:%=build-tsan/bin/%)
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $(TSAN_OPTIONS)" UNIT=$(abspath build-tsan/unit_tests) \
	  INTEG=$(abspath build-tsan/integration_tests) MK_BIN=$(abspath build-tsan/bin) tests/run-all.sh

FORMAT_SRCS = $(sort $(wildcard lib/*/*.cc lib/*/*.h tools/*/*.cpp plugins/*/*.cpp tests/integration/*.cc tests/fuzz/*.cc tests/fuzz/*.h))
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

demo: deps
	$(MAKE) -j$(JOBS) $(TOOL_BINS)
	MK_BIN=$(abspath $(BIN)) tests/demo.sh

# make bench: mirrorkit against skopeo and the raw bound in one interleaved
# run (bench/run.sh; never part of make test). A quick smoke run:
#   make bench BENCH_ARGS='--images 20 --layer-size 100000 --rounds 1 --big-size 50000000'
.PHONY: bench
bench: deps
	$(MAKE) -j$(JOBS) $(TOOL_BINS)
	MK_BIN=$(abspath $(BIN)) bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf build build-asan build-tsan bin

# The fuzz targets and their corpus replay (tests/fuzz/, doc/fuzzing.md).
include tests/fuzz/fuzz.mk
# make install / make uninstall (PREFIX, DESTDIR).
-include install.mk

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(INTEG_OBJS:.o=.d) $(TOOLS:%=$(BUILD)/tools/%/main.d) $(PLUGINS:%=$(BUILD)/plugins/%/main.d)
