# Thin wrapper around CMake. User entry points:
#   make demo     install what is missing, build, run the main job on a sample
#   make check    install what is missing, build (normal, sanitizer, fuzz), run every test
#   make samples  regenerate samples/ from the scenario catalog
#   make fuzz     run every fuzz target FUZZ_TIME seconds (default 600); new coverage is
#                 merged into tests/fuzz/corpus/<target>, kept in the repository
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_TIME  ?= 600
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
MAKEFLAGS  += --no-print-directory

.PHONY: demo check samples deps build build-asan build-fuzz fuzz chroots

deps:
	@sh scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMTDIAG_WERROR=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DAMTDIAG_WERROR=ON -DAMTDIAG_SANITIZE=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD_ASAN) -j $(JOBS)

# libFuzzer targets (tests/fuzz): clang only, in a build directory of their own.
build-fuzz: deps
	@CC=clang cmake -S . -B $(BUILD_FUZZ) -DAMTDIAG_FUZZ=ON -DAMTDIAG_WERROR=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_all

fuzz: build-fuzz
	@FUZZ_TIME=$(FUZZ_TIME) FUZZ_KEEP_CORPUS=1 ctest --test-dir $(BUILD_FUZZ) --output-on-failure \
	  -j $(JOBS) -L fuzz --timeout $$(( $(FUZZ_TIME) + 300 ))

demo: build
	@sh scripts/demo.sh $(BUILD)

samples: build
	@rm -rf samples.new && $(BUILD)/tests/sim/amtsim --out samples.new --readme
	@sh scripts/record-loopback.sh $(BUILD)/tests/sim/amtsim samples.new/recorded-on-loopback \
	  || echo "samples: loopback recording skipped (dumpcap cannot capture on lo here)"
	@sh scripts/record-cira.sh $(BUILD)/tests/sim/cirasim samples.new/cira \
	  || echo "samples: CIRA recording skipped (dumpcap cannot capture on lo here)"
	@rm -rf samples && mv samples.new samples
	@echo "samples/: $$(ls -d samples/*/ | wc -l) scenarios, $$(du -sh samples | cut -f1)"

# Debian chroots with Wireshark 4.4 and 4.6 for the plugin's tests (as root):
# made or updated in the background while the builds run; their tests wait.
chroots: deps
	@if [ "$$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null; then \
	  mkdir -p $(BUILD); \
	  for s in trixie sid; do \
	    (sh scripts/ws-chroot.sh create $$s >$(BUILD)/ws-chroot-$$s.log 2>&1 &); \
	  done; \
	fi

# The tests start python3 hundreds of times. Where python3 is a wrapper (pyenv's
# shims run a shell and pyenv on every call) the interpreter it stands for goes
# first on their PATH: the same Python, without the wrapper's cost on each start.
PY_FIRST = PATH="$$(python3 -c 'import os, sys; print(os.path.dirname(os.path.realpath(sys.executable)))'):$$PATH"

# The sanitizer build runs the unit tests, the simulator and the analyzer; the tshark
# oracle tests run once, on the normal build; each fuzz target runs 5 seconds.
check: chroots build build-asan build-fuzz
	@$(PY_FIRST) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS) -L 'unit|sim|analyzer'
	@$(PY_FIRST) ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@$(PY_FIRST) FUZZ_TIME=5 FUZZ_KEEP_CORPUS=0 ctest --test-dir $(BUILD_FUZZ) --output-on-failure \
	  -j $(JOBS) -L fuzz --timeout 120
