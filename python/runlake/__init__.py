"""runlake's thin Python layer.

Installing this package (``pip install ./python``) is all a PySpark job needs beyond runlake's Spark
plugin configuration: a ``.pth`` file hooks PySpark's Python-driven fits (``Pipeline``,
``CrossValidator``, ``TrainValidationSplit``, ``OneVsRest``) as ``pyspark.ml`` is imported, so each is
recorded as one run, like its JVM counterpart. The hooks do nothing unless the plugin is recording.
"""

__version__ = "0.1.0"


def autolog() -> None:
    """Hooks PySpark's Python-driven fits now, where the ``.pth`` file is not processed (``python -S``,
    an embedded interpreter). Idempotent. Recording still needs runlake's Spark plugin to be on."""
    from runlake import pyspark_hooks

    pyspark_hooks.install()
