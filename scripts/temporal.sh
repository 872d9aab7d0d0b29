#!/usr/bin/env bash
# Provides the Temporal CLI (which embeds the dev server) and prints its path on stdout.
# Order: $TEMPORAL_CLI, a `temporal` on PATH, the per-user cache, else build it from the Go module proxy.
# The cache lives outside the clone so fresh clones and CI on the same machine reuse one build.
set -euo pipefail

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-1.5.1}" # newest tag `go install` accepts (later tags use replace directives)
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/entra-pbx-sync"
cached_bin="$cache_root/temporal-$TEMPORAL_CLI_VERSION/temporal"

if [[ -n "${TEMPORAL_CLI:-}" ]]; then
  [[ -x "$TEMPORAL_CLI" ]] || { echo "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file" >&2; exit 1; }
  echo "$TEMPORAL_CLI"; exit 0
fi
if on_path="$(command -v temporal 2>/dev/null)"; then
  echo "$on_path"; exit 0
fi
if [[ -x "$cached_bin" ]] && "$cached_bin" --version >/dev/null 2>&1; then
  echo "$cached_bin"; exit 0
fi

command -v go >/dev/null || { echo "Go is needed to build the Temporal CLI once (or put a 'temporal' binary on PATH, or set TEMPORAL_CLI)" >&2; exit 1; }
echo "Building Temporal CLI v$TEMPORAL_CLI_VERSION into $cached_bin (first run only; several minutes)..." >&2
mkdir -p "$(dirname "$cached_bin")"
GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-modcacherw GOBIN="$(dirname "$cached_bin")" \
  go install -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=$TEMPORAL_CLI_VERSION" \
  "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION" >&2
"$cached_bin" --version >&2
echo "$cached_bin"
