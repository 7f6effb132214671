"""A minimal in-tree PEP 517 build backend (standard library only).

Why not setuptools: the install has to work offline, without build isolation,
with what the LocalStack venv holds, and its setuptools (65.x) cannot build a
wheel without the separate ``wheel`` package, which is not installed there.
This backend builds the pure-Python wheel of this project directly: the
metadata comes from ``[project]`` in pyproject.toml (name, version, description,
requires-python, dependencies, entry-points), the files from the package
directories listed in ``[tool.tfasync-build] packages``.
"""

import base64
import hashlib
import io
import os
import tarfile
import tomllib
import zipfile

_HERE = os.path.dirname(os.path.abspath(__file__))
# Fixed timestamps: the same sources always give the same archive.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _project():
    with open(os.path.join(_HERE, "pyproject.toml"), "rb") as f:
        data = tomllib.load(f)
    project = data["project"]
    packages = data.get("tool", {}).get("tfasync-build", {}).get("packages")
    if not packages:
        raise RuntimeError("pyproject.toml: [tool.tfasync-build] packages is required")
    return project, packages


def _dist_name(project):
    return project["name"].replace("-", "_")


def _dist_info(project):
    return f"{_dist_name(project)}-{project['version']}.dist-info"


def _metadata_files(project, packages):
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
    ]
    if project.get("description"):
        lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    for dep in project.get("dependencies", []):
        lines.append(f"Requires-Dist: {dep}")
    files = {
        "METADATA": "\n".join(lines) + "\n",
        "WHEEL": "Wheel-Version: 1.0\nGenerator: _tfasync_build\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
        "top_level.txt": "".join(p + "\n" for p in packages),
    }
    groups = project.get("entry-points", {})
    if groups:
        text = ""
        for group, entries in groups.items():
            text += f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()) + "\n"
        files["entry_points.txt"] = text
    return files


def _package_files(packages):
    for package in packages:
        root = os.path.join(_HERE, package)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(dirpath, name)
                yield os.path.relpath(path, _HERE).replace(os.sep, "/"), path


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    project, packages = _project()
    dist_info = _dist_info(project)
    os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
    for name, text in _metadata_files(project, packages).items():
        with open(os.path.join(metadata_directory, dist_info, name), "w", encoding="utf-8") as f:
            f.write(text)
    return dist_info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project, packages = _project()
    dist_info = _dist_info(project)
    wheel_name = f"{_dist_name(project)}-{project['version']}-py3-none-any.whl"
    record = []

    def add(zf, arcname, data):
        info = zipfile.ZipInfo(arcname, _ZIP_TIME)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")

    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w") as zf:
        for arcname, path in _package_files(packages):
            with open(path, "rb") as f:
                add(zf, arcname, f.read())
        for name, text in _metadata_files(project, packages).items():
            add(zf, f"{dist_info}/{name}", text.encode())
        record.append(f"{dist_info}/RECORD,,")
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", _ZIP_TIME)
        info.external_attr = 0o644 << 16
        zf.writestr(info, "\n".join(record) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    project, packages = _project()
    base = f"{_dist_name(project)}-{project['version']}"
    os.makedirs(sdist_directory, exist_ok=True)
    members = [("pyproject.toml", os.path.join(_HERE, "pyproject.toml")),
               ("_tfasync_build.py", os.path.abspath(__file__))]
    members += list(_package_files(packages))
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"), "w:gz") as tf:
        for arcname, path in members:
            with open(path, "rb") as f:
                data = f.read()
            info = tarfile.TarInfo(f"{base}/{arcname}")
            info.size = len(data)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
    return base + ".tar.gz"
