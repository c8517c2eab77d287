#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 60), seeded from seeds/.
# Needs cargo-fuzz; on a stable toolchain RUSTC_BOOTSTRAP=1 enables the sanitizer flags it uses.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
export RUSTC_BOOTSTRAP=1
for target in parse_filter parse_patch_path apply_patch validate_resource handle_request; do
    mkdir -p "corpus/$target"
    cp -n seeds/"$target"/* "corpus/$target/" 2>/dev/null || true
    echo "==> fuzzing $target for ${seconds}s"
    cargo fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 2>&1 \
        | grep -E '^(Done|#[0-9]+ *DONE|stat::number_of_executed_units|==[0-9]+==|SUMMARY|thread .* panicked)' || true
    if [ -n "$(ls -A "artifacts/$target" 2>/dev/null)" ]; then
        echo "crash artifacts in fuzz/artifacts/$target" >&2
        exit 1
    fi
done
