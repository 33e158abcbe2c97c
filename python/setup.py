"""Puts runlake-autolog.pth at the root of the wheel, so that it lands in site-packages, where the
interpreter runs it at start (pyproject.toml has the rest of the metadata)."""

import os

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithStartupHook(build_py):
    def run(self):
        super().run()
        self.copy_file("runlake-autolog.pth", os.path.join(self.build_lib, "runlake-autolog.pth"))


setup(cmdclass={"build_py": BuildWithStartupHook})
