#!/usr/bin/env bash
# make install: build the provider and copy it into Terraform's implicit local
# mirror, where `terraform init` finds it without any CLI configuration:
#
#   ~/.terraform.d/plugins/registry.terraform.io/tf-async/async/VERSION/OS_ARCH/terraform-provider-async_vVERSION
#
# tf-async/async is in no registry; every other provider (hashicorp/aws...)
# keeps coming from its registry, or from the mirror the user already has.
# A copy, not a symlink: `cargo clean` leaves it working. An older copy of the
# same version is replaced; a directory initialised with it has that build's
# hash in .terraform.lock.hcl (the message at the end says what to do).
#
# Knobs (environment):
#   PROFILE=release   (default) `cargo build --locked --release`
#   PROFILE=debug     the debug build the tests make (tests/it/support/binaries.rs),
#                     a no-op after `cargo test`
#   PLUGINS_DIR=DIR   instead of ~/.terraform.d/plugins, e.g. the path of a
#                     filesystem_mirror of your CLI configuration
#   CARGO=PATH        the cargo to build with (cargo sets it for its tests)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
PROFILE="${PROFILE:-release}"
PLUGINS_DIR="${PLUGINS_DIR:-$HOME/.terraform.d/plugins}"

case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    FreeBSD) os=freebsd ;;
    OpenBSD) os=openbsd ;;
    *) echo "install-provider.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    i386 | i686) arch=386 ;;
    armv6l | armv7l) arch=arm ;;
    *) echo "install-provider.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;;
esac

cargo() { "${CARGO:-cargo}" "$@"; }
case "$PROFILE" in
    release) cargo build --locked --release --bin terraform-provider-async ;;
    # The very build of tests/it/support/binaries.rs (--examples gives it the
    # tests' features), so neither one rebuilds the other's binary.
    debug) cargo build --locked --workspace --bins --examples ;;
    *) echo "install-provider.sh: PROFILE must be release or debug, not $PROFILE" >&2; exit 1 ;;
esac
target_dir=$(cargo metadata --locked --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
binary="$target_dir/$PROFILE/terraform-provider-async"

version=$(cargo pkgid -p terraform-provider-async | sed 's/.*[#@]//')
dir="$PLUGINS_DIR/registry.terraform.io/tf-async/async/$version/${os}_$arch"
dest="$dir/terraform-provider-async_v$version"
mkdir -p "$dir"
# Copied, then renamed over the old copy: a Terraform running the old one keeps
# its file, and no one sees half a binary. Not copied in $dir: Terraform hashes
# every file there as part of the package.
tmp="$PLUGINS_DIR/.terraform-provider-async.$$"
trap 'rm -f "$tmp"' EXIT
cp "$binary" "$tmp"
chmod 755 "$tmp"
mv -f "$tmp" "$dest"

cat <<EOF
Installed tf-async/async $version ($PROFILE build) for ${os}_$arch:
  $dest
Next, in a configuration with  async = { source = "tf-async/async" }  in required_providers:
  terraform init   Terraform finds it here by itself; other providers come from their registry.
A directory initialised with an earlier build of $version: delete the block
  provider "registry.terraform.io/tf-async/async" { ... }  from its .terraform.lock.hcl,
then terraform init (init -upgrade keeps checking the old build's hash, and fails).
A provider_installation block in your CLI configuration (~/.terraformrc, TF_CLI_CONFIG_FILE)
turns this directory off unless it lists it as a filesystem_mirror: README.md, "Install".
EOF
