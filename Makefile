# pz - top-level entry points. CMake does the building underneath.
#
#   make          build build/pz
#   make check    install what is missing, build (normal + ASan/UBSan), run every test
#   make demo     install, build, run the main job against the simulator
#   make fuzz     build the libFuzzer targets with clang (build-fuzz/)
#   make bench    run the benchmarks under tests/bench
#   make format   clang-format the C sources
#   make install  build, then install under $(DESTDIR)$(PREFIX) (default /usr/local)
#   make uninstall  remove what make install put there (same PREFIX, DESTDIR)
#   make deb      a Debian package in dist/, built with Debian's hardening flags

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest
CMAKE_FLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build deps deps-build check check-normal check-asan demo fuzz bench format clean \
	install uninstall deb

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

install: build
	DESTDIR="$(DESTDIR)" $(CMAKE) --install build --prefix "$(PREFIX)"

uninstall:
	@test -f build/CMakeCache.txt || { echo "make uninstall: run make first (it needs build/)"; exit 1; }
	DESTDIR="$(DESTDIR)" packaging/uninstall.sh build "$(PREFIX)"

# Debian's build flags with every hardening option but fortify: glibc's
# fortified inline functions (sprintf, strcpy ...) collide with the
# macros of core/banned.h, which common.h defines before the system
# headers are read.
DEB_FLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all,-fortify dpkg-buildflags --get
deb: deps-build
	$(CMAKE) -S . -B build-deb -DCMAKE_BUILD_TYPE=None \
	  -DCMAKE_C_FLAGS="$$($(DEB_FLAGS) CFLAGS) $$($(DEB_FLAGS) CPPFLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$$($(DEB_FLAGS) LDFLAGS)" \
	  $(CMAKE_FLAGS) >/dev/null
	$(CMAKE) --build build-deb -j $(JOBS) --target pz pz_docs
	packaging/deb/mkdeb.sh build-deb dist

clean:
	rm -rf build build-asan build-fuzz build-deb dist
