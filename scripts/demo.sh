#!/usr/bin/env bash
# make demo: LocalStack up, examples/complete applied with this provider and
# hashicorp/aws, a JSON POST and a form POST sent, the answers timed, and the
# events the worker received printed. `scripts/demo.sh down` destroys and stops.
# The work is scripts/example.sh's (make example EXAMPLE=complete, with the
# demo's two requests); its environment variables apply here too.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

case "${1:-up}" in
    up) exec bash "$ROOT/scripts/example.sh" demo ;;
    down) exec bash "$ROOT/scripts/example.sh" down ;;
    *) echo "usage: scripts/demo.sh [up|down]" >&2; exit 2 ;;
esac
