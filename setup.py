"""Maps the design's top-level folders onto the installed `wicked_platform` package.

`tools/` installs as `wicked_platform.tools`, `agents/` as `wicked_platform.agents`, and so on,
so nothing named bare `tools` or `agents` reaches site-packages. Everything else lives in
pyproject.toml; this file only computes the package list, which pyproject.toml cannot, and names
the one C extension.
"""

import os

from setuptools import Extension, find_packages, setup

FOLDERS = ("tools", "agents", "prompts", "scenarios")

packages, package_dir = [], {}
for folder in FOLDERS:
    package_dir[f"wicked_platform.{folder}"] = folder
    packages.append(f"wicked_platform.{folder}")
    packages += [f"wicked_platform.{folder}.{sub}" for sub in find_packages(folder)]

# The C prefilter for large plain, JSON, logfmt and access logs (tools/logs/prefilter.py). Optional: where it does not build
# (no compiler), the install goes on and the scan reads every line with DuckDB, only slower.
prefilter = Extension(
    "wicked_platform.tools.logs._prefilter",
    ["tools/logs/_prefilter.c", "tools/logs/_prefilter_words.c", "tools/logs/_prefilter_groups.c",
     "tools/logs/_prefilter_fields.c", "tools/logs/_prefilter_fieldgroups.c", "tools/logs/_prefilter_access.c"],
    depends=["tools/logs/_prefilter_bytes.h", "tools/logs/_prefilter_words.h", "tools/logs/_prefilter_groups.h",
             "tools/logs/_prefilter_fields.h", "tools/logs/_prefilter_fieldgroups.h", "tools/logs/_prefilter_dates.h",
             "tools/logs/_prefilter_access.h", "tools/logs/_prefilter_table.h"], extra_compile_args=["-O3"], optional=True)

setup(
    packages=packages,
    ext_modules=[prefilter] if os.name == "posix" else [],
    package_dir=package_dir,
    package_data={
        "wicked_platform.prompts": ["**/*.j2"],
        "wicked_platform.scenarios": ["**/*"],
    },
)
