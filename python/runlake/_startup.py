"""Run at interpreter start by ``runlake-autolog.pth``: installs runlake's PySpark hooks once
``pyspark.ml`` has been imported, and costs nothing otherwise (no import of PySpark here)."""

import importlib.abc
import importlib.util
import sys


class _HookingLoader(importlib.abc.Loader):
    """``pyspark.ml``'s own loader, followed by the hooks."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            from runlake import pyspark_hooks

            pyspark_hooks.install()
        except Exception as error:  # never break the user's import
            import logging

            logging.getLogger("runlake").warning("runlake: PySpark hooks not installed: %s", error)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _PysparkMlFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "pyspark.ml":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _HookingLoader(spec.loader)
        return spec


if "pyspark.ml" in sys.modules:
    from runlake import pyspark_hooks

    pyspark_hooks.install()
elif not any(isinstance(f, _PysparkMlFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _PysparkMlFinder())
