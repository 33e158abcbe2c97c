"""Makes each Python-driven PySpark fit one runlake run.

``Pipeline``, ``CrossValidator``, ``TrainValidationSplit`` and ``OneVsRest`` fit in Python: their
``_fit`` loops over stages, param maps or classes and calls the JVM ``fit`` of each part, which
runlake's agent sees as separate fits. The hook around each ``_fit`` tells the JVM recorder
(``io.runlake.plugin.internal.PySparkFits``) where the whole fit begins and ends, handing over its JVM
twin (``_to_java()``), so the parts nest in it as they do in a JVM Pipeline or CrossValidator.

Nothing here fails or changes a fit: without the runlake jar, a recording plugin or a classic (non
Connect) session, the original ``_fit`` runs alone.
"""

import functools
import logging
import threading

_log = logging.getLogger("runlake")
_JVM_CLASS = "io.runlake.plugin.internal.PySparkFits"
_lock = threading.Lock()
_installed = False


def install() -> None:
    """Wraps ``_fit`` of the Python-driven estimators, once."""
    global _installed
    with _lock:
        if _installed:
            return
        from pyspark.ml.classification import OneVsRest
        from pyspark.ml.pipeline import Pipeline
        from pyspark.ml.tuning import CrossValidator, TrainValidationSplit

        for cls in (Pipeline, CrossValidator, TrainValidationSplit, OneVsRest):
            cls._fit = _hooked(cls.__dict__["_fit"])
        _installed = True


def _hooked(original):
    @functools.wraps(original)
    def _fit(self, dataset):
        token = _enter(self, dataset)
        if token is None:
            return original(self, dataset)
        try:
            model = original(self, dataset)
        except BaseException as error:
            _exit(token, None, f"{type(error).__name__}: {error}")
            raise
        _exit(token, model, None)
        return model

    return _fit


def _recorder():
    """The JVM class of the hooks, or None where it cannot be reached."""
    from pyspark import SparkContext

    sc = SparkContext._active_spark_context
    if sc is None or sc._jvm is None:
        return None
    from py4j.java_gateway import JavaClass

    target = sc._jvm
    for part in _JVM_CLASS.split("."):
        target = getattr(target, part)
    return target if isinstance(target, JavaClass) else None


def _enter(estimator, dataset):
    try:
        jdf = getattr(dataset, "_jdf", None)
        recorder = _recorder() if jdf is not None else None
        if recorder is None:
            return None
        return recorder.enter(_java_twin(estimator), jdf)
    except Exception as error:  # autologging never fails the user's fit
        _log.warning("runlake: not recording this %s fit as one run: %s", type(estimator).__name__, error)
        return None


def _exit(token, model, error):
    try:
        java_model = None
        if model is not None:
            try:
                java_model = model._to_java()
            except Exception as failure:
                _log.warning("runlake: the %s model cannot be logged: %s", type(model).__name__, failure)
        recorder = _recorder()
        if recorder is not None:  # None once the application stopped its context inside the fit
            recorder.exit(token, java_model, error)
    except Exception as failure:
        _log.warning("runlake: recording the end of a fit failed: %s", failure)


def _java_twin(estimator):
    """``_to_java()``; for a Pipeline with Python-only stages, a JVM Pipeline of its JVM stages."""
    from pyspark.ml.pipeline import Pipeline

    try:
        return estimator._to_java()
    except Exception:
        if not isinstance(estimator, Pipeline):
            raise
    from pyspark import SparkContext

    stages = []
    for stage in estimator.getStages():
        try:
            stages.append(stage._to_java())
        except Exception:
            pass  # a stage written in Python: its fit, if any, is not seen by the JVM either
    gateway = SparkContext._gateway
    array = gateway.new_array(SparkContext._jvm.org.apache.spark.ml.PipelineStage, len(stages))
    for i, stage in enumerate(stages):
        array[i] = stage
    twin = SparkContext._jvm.org.apache.spark.ml.Pipeline(estimator.uid)
    twin.setStages(array)
    return twin
