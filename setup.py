"""Maps the design's top-level folders onto the installed `wicked_platform` package.

`tools/` installs as `wicked_platform.tools`, `agents/` as `wicked_platform.agents`, and so on,
so nothing named bare `tools` or `agents` reaches site-packages. Everything else lives in
pyproject.toml; this file only computes the package list, which pyproject.toml cannot.
"""

from setuptools import find_packages, setup

FOLDERS = ("tools", "agents", "prompts", "scenarios")

packages, package_dir = [], {}
for folder in FOLDERS:
    package_dir[f"wicked_platform.{folder}"] = folder
    packages.append(f"wicked_platform.{folder}")
    packages += [f"wicked_platform.{folder}.{sub}" for sub in find_packages(folder)]

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={
        "wicked_platform.prompts": ["**/*.j2"],
        "wicked_platform.scenarios": ["**/*"],
    },
)
