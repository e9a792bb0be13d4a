"""Copies TensorFlow's C API out of a tensorflow-cpu wheel into a tfjs-node `deps/` folder.

  python3 extract-wheel.py WHEEL DEST

DEST/lib gets the two shared libraries, DEST/include the headers the tfjs-node binding includes. A wheel is a
zip file, so the wheel's Python version does not matter here.
"""

import os
import sys
import zipfile

LIBRARIES = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
# The binding includes tensorflow/c/*.h and tensorflow/core/platform/ctstring_internal.h, which include tsl/.
HEADER_DIRS = ("tensorflow/c/", "tensorflow/core/platform/", "tsl/", "xla/tsl/")


def main(wheel: str, dest: str) -> None:
    found = set()
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            if name.startswith("tensorflow/include/"):
                rel = name[len("tensorflow/include/") :]
                if not rel.startswith(HEADER_DIRS) or info.is_dir():
                    continue
                target = os.path.join(dest, "include", rel)
            elif name.startswith("tensorflow/") and name[len("tensorflow/") :] in LIBRARIES:
                target = os.path.join(dest, "lib", name[len("tensorflow/") :])
                found.add(name[len("tensorflow/") :])
            elif name.endswith(".dist-info/LICENSE"):
                target = os.path.join(dest, "LICENSE")
            else:
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
    missing = [lib for lib in LIBRARIES if lib not in found]
    if missing:
        sys.exit(
            f"{wheel}: expected {', '.join(LIBRARIES)} in tensorflow/; missing {', '.join(missing)} "
            "(wheels before 2.12 keep the C API in the Python extension, which needs libpython)"
        )
    # The binding links -ltensorflow -ltensorflow_framework; libtensorflow_cc carries the C API in the wheel.
    for link, target in (("libtensorflow.so", LIBRARIES[0]), ("libtensorflow_framework.so", LIBRARIES[1])):
        path = os.path.join(dest, "lib", link)
        if os.path.lexists(path):
            os.remove(path)
        os.symlink(target, path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: extract-wheel.py WHEEL DEST")
    main(sys.argv[1], sys.argv[2])
