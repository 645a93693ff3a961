"""The C prefilter is built wherever the install found a C compiler.

Without this, a build that failed quietly (the extension is optional) would skip every test in
test_prefilter.py, and the C path would go untested without anyone noticing.
"""

from __future__ import annotations

import shutil
import sysconfig

from wicked_platform.tools.logs import prefilter


def test_an_install_with_a_c_compiler_builds_the_prefilter():
    cc = (sysconfig.get_config_var("CC") or "").split()
    compiler = shutil.which(cc[0]) if cc else None
    assert prefilter.available() or compiler is None, f"{compiler} is here, yet the C prefilter was not built"
