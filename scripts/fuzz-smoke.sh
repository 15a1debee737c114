#!/usr/bin/env bash
# Builds every libFuzzer target (clang, ASan+UBSan) and runs each for a few seconds on its seed
# corpus: a smoke check that no parser of network input crashes on what the seeds lead to.
# Longer runs: ./build-fuzz/fuzz_<name> -max_total_time=600 <corpus dir>.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
seconds="${FUZZ_SECONDS:-10}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DRTCGATE_FUZZ=ON >/dev/null
ninja -C "$build" -j"$(nproc)"
status=0
for src in "$root"/native/*/fuzz_*.cpp; do
  name="$(basename "$src" .cpp)"
  module_dir="$(dirname "$src")"
  work="$(mktemp -d)"
  # Seeds are copied so that new inputs the fuzzer finds do not land in the repository.
  if [ -d "$module_dir/testdata" ]; then
    find "$module_dir/testdata" -mindepth 2 -type f -exec cp {} "$work/" \;
  fi
  if "$build/$name" -max_total_time="$seconds" -max_len=1500 -print_final_stats=1 "$work" \
      >"$work.log" 2>&1; then
    echo "fuzz: $name ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" | grep -o '[0-9]*$') runs in ${seconds}s)"
  else
    echo "fuzz: $name FAILED"; tail -40 "$work.log"; status=1
  fi
  rm -rf "$work" "$work.log"
done
exit $status
