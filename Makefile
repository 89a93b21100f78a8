# tidings — GNU make.  `make` builds ./tidings, `make run` serves the example sources,
# `make test` runs every test, `make asan` runs them again under ASan+UBSan, `make tsan` under
# ThreadSanitizer.  Each flavour builds into its own folder (build/default, build/asan,
# build/tsan) so objects never mix.

FLAVOUR ?= default
BUILD   := build/$(FLAVOUR)
CC      ?= cc
WERROR  ?=
PKGS    := libxml-2.0 libcurl sqlite3 libmicrohttpd libutf8proc libcrypto zlib jansson
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Recursively expanded, so pkg-config runs only after the dependency step has installed it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags cmocka)
TEST_LIBS   = $(shell pkg-config --libs cmocka)

WARN := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Wundef -Wcast-align -Wno-unused-parameter
CFLAGS_ALL = -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DTIDINGS_VERSION='"$(VERSION)"' \
             $(WARN) $(WERROR) -g -MMD -MP $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm $(LDLIBS)

ifeq ($(FLAVOUR),fuzz)
  CC := clang
  CFLAGS_ALL += -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
  LDFLAGS    += -fsanitize=fuzzer,address,undefined
else ifeq ($(FLAVOUR),asan)
  CFLAGS_ALL += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
  LDFLAGS    += -fsanitize=address,undefined
else ifeq ($(FLAVOUR),tsan)
  CFLAGS_ALL += -O1 -fno-omit-frame-pointer -fsanitize=thread
  LDFLAGS    += -fsanitize=thread
else
  CFLAGS_ALL += -O2
endif

SRCS    := $(wildcard src/*.c)
LIBOBJS := $(patsubst src/%.c,$(BUILD)/%.o,$(filter-out src/main.c,$(SRCS))) $(BUILD)/feed_xsl.o
UNITS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps run test asan tsan fuzz fuzz-run unit e2e bench clean
all: tidings

deps:
	@sh mk/deps.sh

$(BUILD)/%.o: src/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# data/feed.xsl is compiled in, so the binary can publish it beside the feeds.
$(BUILD)/feed_xsl.c: data/feed.xsl
	@mkdir -p $(@D)
	{ echo '/* generated from data/feed.xsl */'; echo 'extern const char render_feed_xsl[];'; \
	  echo 'const char render_feed_xsl[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@

$(BUILD)/feed_xsl.o: $(BUILD)/feed_xsl.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/libtidings.a: $(LIBOBJS)
	$(AR) rcs $@ $^

$(BUILD)/tidings: $(BUILD)/main.o $(BUILD)/libtidings.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtidings.a tests/unit/testutil.h | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -Isrc -o $@ $< $(BUILD)/libtidings.a $(LDFLAGS) $(TEST_LIBS) $(LDLIBS_ALL)

# ./tidings is the default flavour's binary.
ifeq ($(FLAVOUR),default)
tidings: $(BUILD)/tidings
	cp $< $@
endif

run: tidings
	./tidings -c feeds/tidings.ini run

test: $(BUILD)/tidings $(UNITS)
	@TIDINGS_BIN=$(BUILD)/tidings TIDINGS_UNITS="$(UNITS)" sh tests/run.sh

asan:
	$(MAKE) FLAVOUR=asan test

tsan:
	$(MAKE) FLAVOUR=tsan test

# make fuzz: each libFuzzer target (clang) runs FUZZ_SECONDS (default 30) on a copy of its seed
# corpus in tests/fuzz/corpus/ (plus the test inputs in tests/data/TARGET, read only); a crash
# leaves its input in build/fuzz/ and fails the target.
FUZZ_SECONDS ?= 30
FUZZERS := parse date html sanitize
fuzz:
	@sh mk/deps.sh 'fuzzer:clang|clang,libclang-rt-14-dev'
	$(MAKE) FLAVOUR=fuzz fuzz-run

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libtidings.a | deps
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(BUILD)/libtidings.a $(LDFLAGS) $(LDLIBS_ALL)

fuzz-run: $(patsubst %,$(BUILD)/fuzz_%,$(FUZZERS))
	@for t in $(FUZZERS); do \
		rm -rf $(BUILD)/corpus-$$t && cp -R tests/fuzz/corpus/$$t $(BUILD)/corpus-$$t && \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s" && \
		$(BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=65536 \
			-artifact_prefix=$(BUILD)/crash-$$t- -print_final_stats=1 $(BUILD)/corpus-$$t \
			$$(test -d tests/data/$$t && echo tests/data/$$t) 2>$(BUILD)/fuzz-$$t.log || \
			{ tail -n 40 $(BUILD)/fuzz-$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units|^Done' $(BUILD)/fuzz-$$t.log | tail -n 2; \
	done

$(BUILD)/bench_%: bench/bench_%.c $(BUILD)/libtidings.a | deps
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(BUILD)/libtidings.a $(LDFLAGS) $(LDLIBS_ALL)

bench: tidings $(BUILD)/bench_render
	@sh mk/deps.sh 'cmd:wrk|wrk' 'cmd:nginx|nginx' 'cmd:/usr/bin/time|time' 'cmd:sfeed|sfeed'
	@sh bench/run.sh

clean:
	rm -rf build tidings

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d)
