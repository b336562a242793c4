# Stellar — build, test, demo.
#   make            build every program into build/
#   make test       install deps, reserve hugepages, build, run every test
#   make demo       install deps, reserve hugepages, build, run the demo
#   make deps       install missing Debian packages (idempotent)
#   make hugepages  reserve and mount 2 MiB hugepages (idempotent)

BUILD    := build
GEN      := $(BUILD)/gen
PKGS     := libdpdk libzmq libprotobuf-c yaml-0.1 jansson libpcap libcrypto lua5.4 libmicrohttpd

Q        ?= @
CC       := gcc
CXX      := g++
# Recursive (=) so that pkg-config runs after `make deps` installed things.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -D_GNU_SOURCE $(WARN) -MMD -MP -Ishared -Iplugin_proc -I$(GEN)
ALL_CFLAGS = $(CFLAGS) $(PKG_CFLAGS)
CXXFLAGS ?= -O2 -g
ALL_CXXFLAGS = $(CXXFLAGS) -std=gnu++17 $(WARN) -Wno-missing-field-initializers -MMD -MP -Iplugin_proc \
	-Ishared -I$(GEN) $(PKG_CFLAGS) $(shell pkg-config --cflags gtest 2>/dev/null)
LDLIBS   = $(PKG_LIBS) -lpthread

PROTOS      := $(wildcard proto/*.proto)
PROTO_C     := $(patsubst proto/%.proto,$(GEN)/%.pb-c.c,$(PROTOS))
PROTO_H     := $(PROTO_C:.c=.h)
SHARED_SRC  := $(wildcard shared/*.c)
SHARED_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(SHARED_SRC)) $(patsubst $(GEN)/%.c,$(BUILD)/obj/gen/%.o,$(PROTO_C))
LIB         := $(BUILD)/libstellar.a

define program
$(BUILD)/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(2)/*.c)) $(LIB)
	@echo "  LD    $$@"
	$(Q)$$(CC) -o $$@ $$^ $$(LDLIBS)
PROGRAMS += $(BUILD)/$(1)
OBJS += $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(2)/*.c))
endef

$(eval $(call program,stellar-orchestrator,orchestrator))
$(eval $(call program,stellar-io,io_proc))
$(eval $(call program,stellar-session,session_proc))
$(eval $(call program,stellar-plugin,plugin_proc))
$(eval $(call program,stellar-amq,amq_proc))
$(eval $(call program,stellarctl,tools/stellarctl))
$(eval $(call program,stellar-gen-demo,tools/demo))
$(eval $(call program,stellar-decode,tools/decode))

# The plugin manager (everything of stellar-plugin but its main) also runs
# in-process in the tests and the bench.
PLUGIN_HOST_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out plugin_proc/main.c,$(wildcard plugin_proc/*.c)))

# Plugins: shared objects built against the public header only.
PLUGIN_CFLAGS = -O2 -g -std=gnu11 -fPIC -shared $(WARN) -Ishared/include/stellar -Ishared/include \
	$(shell pkg-config --cflags jansson)
PLUGIN_SO      := $(patsubst plugins/%.c,$(BUILD)/plugins/%.so,$(wildcard plugins/*.c))
TEST_PLUGIN_SO := $(patsubst tests/plugins/%.c,$(BUILD)/tests/plugins/%.so,$(wildcard tests/plugins/*.c))

$(BUILD)/plugins/%.so: plugins/%.c shared/include/stellar/plugin.h shared/include/stellar/session_api.h
	@mkdir -p $(dir $@)
	@echo "  PLUGIN $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) -o $@ $< $(shell pkg-config --libs jansson)

$(BUILD)/tests/plugins/%.so: tests/plugins/%.c $(wildcard tests/plugins/*.h) shared/include/stellar/plugin.h \
		shared/include/stellar/session_api.h
	@mkdir -p $(dir $@)
	@echo "  PLUGIN $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) -o $@ $< $(shell pkg-config --libs jansson)

BENCH_PLUGIN_SO := $(patsubst bench/plugins/%.c,$(BUILD)/bench/plugins/%.so,$(wildcard bench/plugins/*.c))

$(BUILD)/bench/plugins/%.so: bench/plugins/%.c shared/include/stellar/plugin.h
	@mkdir -p $(dir $@)
	@echo "  PLUGIN $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) -o $@ $<

# The bench runs stellar-io's own ingest code, so it links those objects.
BENCH_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard bench/*.c) io_proc/io_ingest.c io_proc/io_ethdev.c) \
	$(PLUGIN_HOST_OBJ)
$(BUILD)/stellar-bench: $(BENCH_OBJ) $(LIB)
	@echo "  LD    $@"
	$(Q)$(CC) -o $@ $^ $(LDLIBS)
OBJS += $(filter-out $(PLUGIN_HOST_OBJ),$(BENCH_OBJ))

TEST_SRC := $(wildcard tests/*.cc)
TEST_OBJ := $(patsubst %.cc,$(BUILD)/obj/%.o,$(TEST_SRC))
TEST_BIN := $(BUILD)/tests/stellar_tests

# Fuzzing (clang + libFuzzer) and a sanitizer build of the decoder tests.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard fuzz/fuzz_*.c))
PURE_SRC     := $(wildcard shared/decode*.c shared/app_*.c)
SAN_FLAGS    := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
DECODER_TESTS := tests/test_decode.cc $(wildcard tests/test_app_*.cc) tests/harness.cc
SAN_TEST_BIN := $(BUILD)/asan/decoder_tests

.PHONY: all deps hugepages test demo bench run-bench clean check-tests run-demo fuzz
.DEFAULT_GOAL := all

all: $(PROGRAMS) $(PLUGIN_SO)

deps:
	@bash tools/deps.sh

hugepages:
	@bash tools/hugepages.sh

$(GEN)/%.pb-c.c $(GEN)/%.pb-c.h: proto/%.proto
	@mkdir -p $(GEN)
	@echo "  PROTO $<"
	$(Q)protoc-c --proto_path=proto --c_out=$(GEN) $<

# Every object may include generated headers.
$(SHARED_OBJ) $(OBJS) $(TEST_OBJ): | $(PROTO_H)

$(BUILD)/obj/gen/%.o: $(GEN)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-unused-parameter -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	$(Q)$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(LIB): $(SHARED_OBJ)
	@rm -f $@
	@echo "  AR    $@"
	$(Q)ar rcs $@ $^

$(TEST_BIN): $(TEST_OBJ) $(PLUGIN_HOST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	$(Q)$(CXX) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs gtest_main 2>/dev/null || echo -lgtest_main -lgtest)

# The environment is prepared first; the build then runs in a fresh make so
# that pkg-config sees packages `deps` may just have installed.
test: deps hugepages
	@$(MAKE) --no-print-directory check-tests

check-tests: all $(TEST_BIN) $(TEST_PLUGIN_SO) $(SAN_TEST_BIN) $(FUZZ_TARGETS)
	@bash tests/run.sh $(TEST_BIN) $(SAN_TEST_BIN) -- $(FUZZ_TARGETS)

$(BUILD)/fuzz/%: fuzz/%.c $(PURE_SRC)
	@mkdir -p $(dir $@)
	@echo "  FUZZ  $@"
	$(Q)clang $(SAN_FLAGS) -fsanitize=fuzzer -msse4.2 -D_GNU_SOURCE -Ishared $(PKG_CFLAGS) \
		-Wno-unused-command-line-argument -o $@ $< $(PURE_SRC) $(shell pkg-config --libs libcrypto) -lrte_eal

$(SAN_TEST_BIN): $(DECODER_TESTS) $(PURE_SRC)
	@mkdir -p $(dir $@)
	@echo "  ASAN  $@"
	$(Q)$(CXX) $(SAN_FLAGS) -std=gnu++17 -x c++ $(DECODER_TESTS) -x none \
		$(patsubst %.c,$(BUILD)/san/%.o,$(PURE_SRC)) -o $@ $(PKG_CFLAGS) -Ishared \
		$(shell pkg-config --libs libpcap jansson libcrypto gtest_main) -lrte_eal

$(SAN_TEST_BIN): $(patsubst %.c,$(BUILD)/san/%.o,$(PURE_SRC))

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN_FLAGS) -std=gnu11 -D_GNU_SOURCE -Ishared $(PKG_CFLAGS) -c -o $@ $<

# The control harness also takes the config parser and the protocol.
CONTROL_FUZZ_SRC := $(GEN)/control.pb-c.c $(wildcard shared/config_*.c) shared/session_timeouts.c shared/defrag.c \
	shared/log.c shared/paths.c
$(BUILD)/fuzz/fuzz_control: fuzz/fuzz_control.c $(PURE_SRC) $(CONTROL_FUZZ_SRC) $(PROTO_H)
	@mkdir -p $(dir $@)
	@echo "  FUZZ  $@"
	$(Q)clang $(SAN_FLAGS) -fsanitize=fuzzer -msse4.2 -D_GNU_SOURCE -Ishared -I$(GEN) $(PKG_CFLAGS) \
		-Wno-unused-command-line-argument -o $@ $< $(PURE_SRC) $(CONTROL_FUZZ_SRC) $(PKG_LIBS)

# Every harness for FUZZ_SECONDS (default 60) each; corpora in build/fuzz/corpus.
fuzz: $(FUZZ_TARGETS)
	@for f in $(FUZZ_TARGETS); do \
		name=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus/$$name; \
		seeds=$$( [ -d fuzz/corpus/$$name ] && echo fuzz/corpus/$$name ); \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(BUILD)/fuzz/corpus/$$name $$seeds \
			2>&1 | tail -3 || exit 1; \
	done

demo: deps hugepages
	@$(MAKE) --no-print-directory run-demo

run-demo: all
	@bash tools/demo/run.sh

bench: deps hugepages
	@command -v gnuplot >/dev/null || bash tools/deps.sh gnuplot-nox
	@$(MAKE) --no-print-directory run-bench

run-bench: all $(BUILD)/stellar-bench $(BENCH_PLUGIN_SO)
	@bash bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
