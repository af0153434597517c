# Fuzz targets (tests/fuzz/*_fuzz.cc, doc/fuzzing.md): a make fragment the
# Makefile includes; it uses the Makefile's BUILD, LIB_SRCS, ALL_CXXFLAGS,
# ALL_LDFLAGS and LIBS.
#
#   make fuzz-replay   replays every seed corpus (tests/fuzz/corpus/NAME/)
#                      through its target, built with $(CXX) (g++ in CI) and
#                      ASan + UBSan; no clang or libFuzzer needed. Fails on
#                      a crash, a sanitizer report or a failed property.
#   make fuzz          builds the targets with clang++ and libFuzzer, runs
#                      each for FUZZ_SECONDS (default 60; FUZZ_TARGETS picks
#                      some), then merges new inputs into its corpus
#                      (-merge=1 keeps only those that add coverage). A
#                      crash stops the run; the input is left in
#                      $(FUZZ_CLANG_BUILD)/crashes/.
#
# Objects go under $(BUILD)/fuzz (g++) and $(BUILD)/fuzz-clang, built from
# the same sources with the sanitizers' flags, so they never mix with the
# normal build's.

FUZZ_DIR          := tests/fuzz
FUZZ_ALL          := $(patsubst $(FUZZ_DIR)/%_fuzz.cc,%,$(sort $(wildcard $(FUZZ_DIR)/*_fuzz.cc)))
FUZZ_TARGETS      ?= $(FUZZ_ALL)
FUZZ_SECONDS      ?= 60
FUZZ_BUILD        ?= $(BUILD)/fuzz
FUZZ_CLANG_BUILD  ?= $(BUILD)/fuzz-clang
FUZZ_CLANG        ?= clang++
FUZZ_SANITIZE     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# libFuzzer options for make fuzz: bounded memory and input size.
FUZZ_FLAGS        ?= -rss_limit_mb=2048 -max_len=16384 -timeout=10
# The modules the targets reach (the static library pulls only what they use).
FUZZ_MODULES      := base digest json ref oci auth http archive records
# and the catalog's pure parts: documents, the model builder, semver, selection.
FUZZ_CATALOG_SRCS := $(addprefix lib/catalog/,documents.cc fbc_reader.cc semver.cc selection.cc)
FUZZ_LIB_SRCS     := $(filter $(foreach m,$(FUZZ_MODULES),lib/$(m)/%),$(LIB_SRCS)) $(FUZZ_CATALOG_SRCS)

FUZZ_LIB          := $(FUZZ_BUILD)/libmirrorkit-fuzz.a
FUZZ_REPLAY_BINS  := $(FUZZ_ALL:%=$(FUZZ_BUILD)/%_replay)
FUZZ_CLANG_LIB    := $(FUZZ_CLANG_BUILD)/libmirrorkit-fuzz.a
FUZZ_CLANG_BINS   := $(FUZZ_ALL:%=$(FUZZ_CLANG_BUILD)/%_fuzz)

FUZZ_CXXFLAGS       = $(ALL_CXXFLAGS) $(FUZZ_SANITIZE) -I$(FUZZ_DIR)
FUZZ_CLANG_CXXFLAGS = $(REQUIRED_CXXFLAGS) -O1 -g $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link -I$(FUZZ_DIR)

.PHONY: fuzz fuzz-replay fuzz-build
# Kept between runs (make would delete them as intermediates of the links).
.SECONDARY: $(patsubst %,$(FUZZ_BUILD)/$(FUZZ_DIR)/%_fuzz.o,$(FUZZ_ALL) replay_main) \
  $(FUZZ_ALL:%=$(FUZZ_CLANG_BUILD)/$(FUZZ_DIR)/%_fuzz.o)

# --- replay: $(CXX), ASan + UBSan, every corpus ---------------------------
$(FUZZ_BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(FUZZ_CXXFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_SRCS:%.cc=$(FUZZ_BUILD)/%.o)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/%_replay: $(FUZZ_BUILD)/$(FUZZ_DIR)/%_fuzz.o $(FUZZ_BUILD)/$(FUZZ_DIR)/replay_main.o $(FUZZ_LIB)
	$(CXX) $(ALL_LDFLAGS) $(FUZZ_SANITIZE) $(filter %.o,$^) $(FUZZ_LIB) $(LIBS) -o $@

# Each corpus replayed in one process; all of them, then the verdict.
fuzz-replay: $(FUZZ_REPLAY_BINS)
	@failed=""; for t in $(FUZZ_ALL); do \
	  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:$(ASAN_OPTIONS)" \
	  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:$(UBSAN_OPTIONS)" \
	    $(FUZZ_BUILD)/$${t}_replay $(FUZZ_DIR)/corpus/$$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz-replay: failed:$$failed" >&2; exit 1; fi

# --- fuzz: clang++ + libFuzzer, FUZZ_SECONDS per target -------------------
$(FUZZ_CLANG_BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(FUZZ_CLANG) $(FUZZ_CLANG_CXXFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_CLANG_LIB): $(FUZZ_LIB_SRCS:%.cc=$(FUZZ_CLANG_BUILD)/%.o)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_CLANG_BUILD)/%_fuzz: $(FUZZ_CLANG_BUILD)/$(FUZZ_DIR)/%_fuzz.o $(FUZZ_CLANG_LIB)
	$(FUZZ_CLANG) -pthread $(FUZZ_SANITIZE) -fsanitize=fuzzer $< $(FUZZ_CLANG_LIB) $(LIBS) -o $@

fuzz-build: fuzz-deps
	$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_CLANG_BUILD)/%_fuzz)

# clang and its libFuzzer runtime, installed like the rest (make deps).
.PHONY: fuzz-deps
fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="clang libclang-rt-14-dev"

# New inputs go to a scratch directory first, then only those that add
# coverage are merged into the corpus, which stays small.
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  new=$(FUZZ_CLANG_BUILD)/new/$$t; rm -rf $$new; mkdir -p $$new $(FUZZ_DIR)/corpus/$$t $(FUZZ_CLANG_BUILD)/crashes; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_CLANG_BUILD)/$${t}_fuzz $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_CLANG_BUILD)/crashes/$$t- $$new $(FUZZ_DIR)/corpus/$$t; \
	  $(FUZZ_CLANG_BUILD)/$${t}_fuzz $(FUZZ_FLAGS) -merge=1 $(FUZZ_DIR)/corpus/$$t $$new 2>&1 | tail -n 1; \
	  rm -rf $$new; \
	done

-include $(FUZZ_LIB_SRCS:%.cc=$(FUZZ_BUILD)/%.d) $(FUZZ_ALL:%=$(FUZZ_BUILD)/$(FUZZ_DIR)/%_fuzz.d) \
  $(FUZZ_BUILD)/$(FUZZ_DIR)/replay_main.d $(FUZZ_LIB_SRCS:%.cc=$(FUZZ_CLANG_BUILD)/%.d) \
  $(FUZZ_ALL:%=$(FUZZ_CLANG_BUILD)/$(FUZZ_DIR)/%_fuzz.d)
