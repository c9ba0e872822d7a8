# pz - top-level entry points. CMake does the building underneath.
#
#   make          build build/pz
#   make check    install what is missing, build (normal + ASan/UBSan), run every test
#   make demo     install, build, run the main job against the simulator
#   make fuzz     build the libFuzzer targets with clang (build-fuzz/)
#   make bench    run the benchmarks under tests/bench
#   make format   clang-format the C sources

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest
CMAKE_FLAGS ?=

.PHONY: all build deps deps-build check check-normal check-asan demo fuzz bench format clean

all: build

deps-build:
	@scripts/install-deps.sh build

deps:
	@scripts/install-deps.sh test

build: deps-build
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@$(CMAKE) --build build -j $(JOBS)

check: deps check-normal check-asan

check-normal:
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPZ_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	$(CMAKE) --build build -j $(JOBS)
	cd build && $(CTEST) --output-on-failure -j $(JOBS)

check-asan:
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPZ_WERROR=ON -DPZ_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	$(CMAKE) --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(CTEST) --output-on-failure -j $(JOBS) -LE "sim|nosan"

demo: deps build
	@scripts/demo.sh

fuzz: deps
	CC=clang $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DPZ_FUZZ=ON -DPZ_SANITIZE=ON >/dev/null
	$(CMAKE) --build build-fuzz -j $(JOBS)
	@echo "run e.g.: build-fuzz/tests/fuzz/fuzz_spec -max_total_time=60 tests/fuzz/corpus/spec"

bench: deps build
	@tests/bench/run.sh

format:
	clang-format -i cmd/*.[ch] core/*.[ch] providers/*/*.[ch] tests/unit/*.c tests/fuzz/*.c tests/bench/*.c tests/plan/*.c tests/integ/*.c

clean:
	rm -rf build build-asan build-fuzz
