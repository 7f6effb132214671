#!/usr/bin/env bash
# make release: a reproducible linux_amd64 release in dist/, laid out as the
# Terraform registry and `terraform providers mirror` expect:
#   terraform-provider-async_VERSION_linux_amd64.zip   (terraform-provider-async_vVERSION inside)
#   terraform-provider-async_VERSION_manifest.json     (terraform-registry-manifest.json)
#   terraform-provider-async_VERSION_SHA256SUMS
# Reproducible: paths are remapped out of the binary, symbols stripped, and the
# zip entry has a fixed timestamp and mode, so the same sources give the same bytes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DIST="${1:-$ROOT/dist}"
cd "$ROOT"

VERSION=$(cargo pkgid -p terraform-provider-async | sed 's/.*[#@]//')
NAME="terraform-provider-async_${VERSION}"
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$ROOT=/src --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
export CARGO_TARGET_DIR="$ROOT/target/release-dist"

cargo build --release --locked --bin terraform-provider-async >&2
mkdir -p "$DIST"
python3 - "$CARGO_TARGET_DIR/release/terraform-provider-async" "$DIST/${NAME}_linux_amd64.zip" "terraform-provider-async_v${VERSION}" <<'PY'
import sys, zipfile
binary, archive, entry = sys.argv[1:]
info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(binary, "rb") as src, zipfile.ZipFile(archive, "w") as out:
    out.writestr(info, src.read(), compresslevel=9)
PY
cp terraform-registry-manifest.json "$DIST/${NAME}_manifest.json"
(cd "$DIST" && sha256sum "${NAME}_linux_amd64.zip" "${NAME}_manifest.json" >"${NAME}_SHA256SUMS")
cat "$DIST/${NAME}_SHA256SUMS"
