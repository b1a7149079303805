"""One error family: every error cwfilter raises on purpose is a ``CwfilterError`` whose ``code``
is cwfilter's and ``aws_exception`` AWS's; the version has one source."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from importlib import metadata

import pytest

import cwfilter
from cwfilter import errors
from cwfilter.alarm import AlarmValidationError
from cwfilter.replayer import ReplayError
from cwfilter.sources.s3 import S3Error


@pytest.mark.parametrize(
    ("cls", "builtin", "code", "aws"),
    [
        (cwfilter.PatternError, ValueError, "E_SYNTAX", "InvalidParameterException"),
        (cwfilter.MetricFilterError, ValueError, "E_METRIC_FILTER", "InvalidParameterException"),
        (cwfilter.ConfigError, ValueError, "E_CONFIG", None),
        (AlarmValidationError, ValueError, "E_ALARM", "ValidationError"),
        (ReplayError, RuntimeError, "E_REPLAY", None),
        (S3Error, RuntimeError, "E_S3", None),
        (errors.TooComplex, ValueError, "E_TOO_COMPLEX", None),
        (errors.CannotCut, ValueError, "E_CANNOT_CUT", None),
        (errors.ScopeError, ValueError, "E_SCOPE", None),
        (errors.ClusterError, RuntimeError, "E_CLUSTER", None),
        (errors.SnapshotError, ValueError, "E_SNAPSHOT", None),
        (errors.IacError, ValueError, "E_TEMPLATE", None),
        (errors.RemediationError, ValueError, "E_REMEDIATE", None),
        (errors.RenderError, ValueError, "E_RENDER", None),
        (errors.TooLong, OSError, "E_TOO_LONG", None),
    ],
)
def test_every_error_has_the_one_base_and_codes_with_one_meaning(cls, builtin, code, aws) -> None:  # type: ignore[no-untyped-def]
    err = cls("x", pattern="x", offset=0) if cls is cwfilter.PatternError else cls("x")
    assert isinstance(err, cwfilter.CwfilterError) and isinstance(err, builtin)
    assert err.code == code and err.code.startswith("E_")
    assert err.aws_exception == aws


def test_a_pattern_error_is_caught_as_a_cwfilter_error() -> None:
    with pytest.raises(cwfilter.CwfilterError) as info:
        cwfilter.compile('{ $.a = "x"')
    assert info.value.code == "E_JSON_UNCLOSED"


def test_an_unsupported_alarm_has_a_cwfilter_code_and_no_aws_code() -> None:
    # Metric math is emulated since issue 24; SEARCH is not (it returns several time series).
    search = {"Id": "e1", "Expression": "SEARCH('{AWS/EC2,InstanceId} CPUUtilization', 'Average', 300)"}
    request = {"AlarmName": "a", "Metrics": [search], "EvaluationPeriods": 1, "Threshold": 1,
               "ComparisonOperator": "GreaterThanThreshold"}  # fmt: skip
    with pytest.raises(AlarmValidationError) as info:
        cwfilter.Alarm.from_put_metric_alarm(request)
    assert (info.value.code, info.value.aws_exception) == ("E_UNSUPPORTED", None)


def test_the_version_is_the_package_metadata() -> None:
    assert cwfilter.__version__ == metadata.version("cwfilter")


# Modules whose exceptions are not the library's: the command's own (never raised to a library
# caller), and the run-time parser's lark-shaped errors, which ``pattern.syntax`` turns into a
# ``PatternError`` before anything leaves the room (a test compares them with lark's).
_NOT_THE_LIBRARYS = ("cwfilter.cli", "cwfilter.__main__", "cwfilter.pattern.lalr")


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(cwfilter.__path__, "cwfilter."):
        if info.name.startswith(_NOT_THE_LIBRARYS):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name:
                found[f"{info.name}.{name}"] = obj
    return found


def test_every_public_exception_is_in_the_one_tree_and_importable_from_errors() -> None:
    classes = _exception_classes()
    public = {where: cls for where, cls in classes.items() if not cls.__name__.startswith("_")}
    assert {cls.__name__ for cls in public.values()} == set(errors.__all__)
    for where, cls in public.items():
        assert issubclass(cls, errors.CwfilterError), where
        assert getattr(errors, cls.__name__) is cls, where
        assert cls.code.startswith("E_"), where
