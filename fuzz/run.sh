#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 60), seeded from seeds/.
# Needs cargo-fuzz; on a stable toolchain RUSTC_BOOTSTRAP=1 enables the sanitizer flags it uses.
# Fails when a target does not build, when a run fails (with or without an artifact), and when
# a run leaves a crash artifact.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
export RUSTC_BOOTSTRAP=1
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in parse_filter parse_patch_path apply_patch validate_resource handle_request bulk; do
    mkdir -p "corpus/$target"
    for seed in seeds/"$target"/*; do
        [ -e "$seed" ] || continue
        [ -e "corpus/$target/$(basename "$seed")" ] || cp "$seed" "corpus/$target/"
    done
    echo "==> fuzzing $target for ${seconds}s"
    status=0
    cargo fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    sed -nE '/^(Done|#[0-9]+ *DONE|stat::number_of_executed_units|==[0-9]+==|SUMMARY|thread .* panicked)/p' "$log"
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log" >&2
        echo "fuzzing $target failed (exit status $status)" >&2
        exit 1
    fi
    if [ -n "$(ls -A "artifacts/$target" 2>/dev/null)" ]; then
        echo "crash artifacts in fuzz/artifacts/$target" >&2
        exit 1
    fi
done
