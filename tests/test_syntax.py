"""Family detection, validation errors and warnings, canonical rendering, the public API."""

from __future__ import annotations

import pytest

import cwfilter
from cwfilter.pattern import ast, errors


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("", "all"),
        ("   \t\n", "all"),
        ("ERROR", "terms"),
        ('"[ERROR]"', "terms"),
        ("[ERROR]", "space"),
        ("  { $.a = 1 }  ", "json"),
        ("%abc%", "regex"),
        ("%", "terms"),
        ("ERROR %fo+%", "terms"),
    ],
)
def test_family_detection(text: str, family: str) -> None:
    assert cwfilter.detect_family(text) == family
    assert cwfilter.compile(text).family == family


def test_bracketed_word_is_a_one_field_space_delimited_pattern() -> None:
    p = cwfilter.compile("[ERROR]")
    assert p.matches("anything")  # one field, named ERROR
    # §11.2: the one slot takes the whole message; only a message without fields fails.
    assert p.extract("[ERROR] two fields\n") == {"$ERROR": "[ERROR] two fields"}
    assert not p.matches(" \t\r\n")
    assert cwfilter.compile('"[ERROR]"').matches("x [ERROR] two fields")


@pytest.mark.parametrize(
    ("text", "code", "message", "offset"),
    [
        ("{ $.a = 1", errors.E_JSON_UNCLOSED, "If a filter pattern starts with '{' it must end with '}'", 9),
        ("[a, b", errors.E_SYNTAX, "Invalid filter pattern", 5),
        ("foo(bar)", errors.E_TERM_CHAR, "Invalid character(s) in term '('", 0),
        ("ok email@x.com", errors.E_TERM_CHAR, "Invalid character(s) in term '@'", 3),
        ("{ $.a = 1, $.b = 2 }", errors.E_TERM_CHAR, "Invalid character(s) in term ','", 9),
        ('{ $.a > "abc" }', errors.E_SYNTAX, "Invalid filter pattern", 8),
        ("{ $.a IS NOT NULL }", errors.E_SYNTAX, "Invalid filter pattern", 9),
        ("{ $.a EXISTS }", errors.E_SYNTAX, "Invalid filter pattern", 6),
        ("[a, ..., b, ...]", errors.E_SYNTAX, "Invalid filter pattern", 12),
        ("[a = 1 && b = 2]", errors.E_SD_MIXED_FIELDS, "Invalid filter pattern", 10),
        ("%a**%", errors.E_SYNTAX, "Invalid filter pattern", 3),
        ("%\\bword%", errors.E_REGEX_CHAR, "Invalid filter pattern", 1),
        ("%%", errors.E_SYNTAX, "Invalid filter pattern", 1),
        ("- x", errors.E_SYNTAX, "Invalid filter pattern", 0),
        ('"unterminated', errors.E_SYNTAX, "Invalid filter pattern", 0),
        ("{ $.a = %x% || $.b = %y% || $.c = %z% }", errors.E_REGEX_LIMIT, "Invalid filter pattern", 34),
        ("[a = %x%, b = %y%, c = %z%]", errors.E_REGEX_LIMIT, "Invalid filter pattern", 23),
        ("{ $.a.*[*] = 1 }", errors.E_WILDCARD_LIMIT, "Invalid filter pattern", 2),
        ('{ $.a = "x" && $.b = é }', errors.E_TERM_CHAR, "Invalid character(s) in term '?'", 21),
    ],
)
def test_errors_carry_code_message_and_offset(text: str, code: str, message: str, offset: int) -> None:
    with pytest.raises(cwfilter.PatternError) as info:
        cwfilter.compile(text)
    err = info.value
    assert (err.code, err.message, err.offset) == (code, message, offset), str(err)
    assert isinstance(err, ValueError)
    assert err.aws_exception == "InvalidParameterException"
    _line, caret = err.caret.split("\n")
    assert caret == " " * offset + "^"
    assert message in str(err) and err.caret in str(err)


def test_length_limit_is_1024_characters() -> None:
    assert cwfilter.compile("X" * 1024).family == "terms"
    with pytest.raises(cwfilter.PatternError, match="Member must have length less than or equal to 1024"):
        cwfilter.compile("X" * 1025)


def test_non_ascii_is_allowed_inside_double_quotes_only() -> None:
    assert cwfilter.compile('"café"').matches("un café noir")
    assert cwfilter.compile('{ $.a = "café" }').matches('{"a": "café"}')
    with pytest.raises(cwfilter.PatternError, match=r"Invalid character\(s\) in term '\?'"):
        cwfilter.compile("café")


@pytest.mark.parametrize("text", ["foo.bar", "a-b", "x/y", "{ $.a = ab#c }", "[a = x~y, b]", "ERROR %fo+%"])
def test_undocumented_unquoted_characters_warn_in_lenient_mode_and_fail_in_strict(text: str) -> None:
    p = cwfilter.compile(text)
    assert p.warnings and "quote it" in p.warnings[0].message
    with pytest.raises(cwfilter.PatternError, match="strict mode"):
        cwfilter.compile(text, strict=True)


def test_documented_bare_values_do_not_warn() -> None:
    assert not cwfilter.compile("{ $.eventSource = s3.amazonaws.com && $.ip != 123.123.* }").warnings
    assert not cwfilter.compile("[..., request = *.html*, status_code = 4*, t = 10:30/x-y]").warnings


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ('ERROR   -"WARN"  ?"a b"', 'ERROR -WARN ?"a b"'),
        ('"say \\"hi\\" \\\\o/"', '"say \\"hi\\" \\\\o/"'),
        ("{($.a=1)&&(($.b=x)||($.c=y))}", '{ $.a = 1 && ($.b = "x" || $.c = "y") }'),
        ("{ (($.a = 1 && $.b = 2)) && $.c = 3 }", "{ $.a = 1 && $.b = 2 && $.c = 3 }"),
        ("{ $.a = 1 || ($.b = 2 || $.c = 3) }", "{ $.a = 1 || $.b = 2 || $.c = 3 }"),
        ("{ $.['cluster.name'] = c && $.['plain'] = d }", '{ $.[\'cluster.name\'] = "c" && $.plain = "d" }'),
        ("{ $.a[0][*].b IS NULL }", "{ $.a[0][*].b IS NULL }"),
        ("{ $.n > +1e3 }", "{ $.n > +1e3 }"),
        ("[ip,...,status_code=4*||status_code=%^5%,]", '[ip, ..., status_code = "4*" || status_code = %^5%, ]'),
        ("[ ]", "[]"),
        ("  ", ""),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    p = cwfilter.compile(text)
    assert str(p) == canonical
    assert cwfilter.compile(canonical) == p


def test_ast_is_immutable_and_hashable() -> None:
    p = cwfilter.compile("{ $.a = 1 }")
    with pytest.raises(AttributeError):
        p.ast.expr = None  # type: ignore[misc]
    assert hash(p.ast) == hash(cwfilter.parse("{$.a=1}"))
    assert p.ast == ast.JsonPattern(ast.Comparison(ast.Selector((ast.Member("a"),)), "=", ast.NumberValue("1")))


def test_compile_is_cached_and_strict_is_part_of_the_key() -> None:
    assert cwfilter.compile("ERROR") is cwfilter.compile("ERROR")
    assert cwfilter.compile("ERROR") is not cwfilter.compile("ERROR", strict=True)


def test_messages_may_be_str_or_bytes_and_bad_bytes_never_raise() -> None:
    cases = [
        ("ERROR -WARN", b"an ERROR", True),
        ("%caf.%", "un café".encode(), True),  # '.' is one character (é), not one byte
        ("%caf.%", b"un caf", False),
        ("{ $.a = 1 }", b'{"a": 1}', True),
        ("[a, b = 2]", b"x 2", True),
    ]
    for text, msg, expected in cases:
        p = cwfilter.compile(text)
        assert p.matches(msg) is expected
        assert p.matches(msg.decode()) is expected
    for text, _, _ in cases:
        p = cwfilter.compile(text)
        assert p.matches(b"\xff\xfe{\x00") in (True, False)
        assert p.matches(bytearray(b'{"a": 1}')) in (True, False)


def test_json_message_must_be_an_object() -> None:
    p = cwfilter.compile("{ $.a NOT EXISTS }")
    assert p.matches('{"b": 1}')
    for msg in ['[{"b": 1}]', '"x"', "1", "null", "", 'INFO {"b": 1}', '{"a": NaN}']:
        assert not p.matches(msg), msg


def test_regex_dialect() -> None:
    assert cwfilter.compile(r"%\d{3}%").matches("code 404")
    assert not cwfilter.compile(r"%\d%").matches("٣")  # \d is ASCII only
    assert cwfilter.compile(r"%\x28x\x29%").matches("f(x)")
    assert cwfilter.compile("%^a.b$%").matches("a-b")
    assert not cwfilter.compile("%^a.b$%").matches("a\nb")
    assert cwfilter.compile("%abc").family == "terms"  # not ending with %: a term (with a warning)


def test_grammar_ships_inside_the_package_and_is_read_one_way() -> None:
    """The grammar is ``cwfilter/grammar/filter_pattern.lark`` whether installed (``pip install .``: the file
    is in the wheel) or in a source checkout (``src/cwfilter/grammar`` links to the top-level ``grammar/``)."""
    from importlib import resources
    from pathlib import Path

    packaged = resources.files("cwfilter").joinpath("grammar").joinpath("filter_pattern.lark")
    assert packaged.is_file()
    top_level = Path(__file__).resolve().parents[1] / "grammar" / "filter_pattern.lark"
    assert packaged.read_text(encoding="utf-8") == top_level.read_text(encoding="utf-8")
    assert "json_pattern" in top_level.read_text(encoding="utf-8")


def test_patterns_may_span_lines() -> None:
    """Terraform heredocs and CloudFormation block scalars put newlines in JSON patterns."""
    p = cwfilter.compile(
        "{\n  ($.eventSource = config.amazonaws.com) &&\n  (($.eventName=StopConfigurationRecorder)||\n   ($.eventName=DeleteDeliveryChannel))\n}\n"
    )
    assert p.matches('{"eventSource": "config.amazonaws.com", "eventName": "DeleteDeliveryChannel"}')


LAMBDA_LINE = '2023-11-26T10:00:00.000Z\tc0ffee-42\tINFO\t{"level":"error","latency":5}'


def test_json_after_a_text_prefix_matches_only_with_prefix_scan() -> None:
    """§4.3 / Q6: unresolved at AWS, so off by default; opt-in reads the object after the prefix."""
    from cwfilter.pattern import reference

    assert not cwfilter.compile('{ $.level = "error" }').matches(LAMBDA_LINE)
    p = cwfilter.compile('{ $.level = "error" }', json_prefix_scan=True)
    assert p.matches(LAMBDA_LINE) and p.matches(LAMBDA_LINE.encode())
    assert reference.matches(p.ast, LAMBDA_LINE, json_prefix_scan=True)
    assert not p.matches('INFO {"level":"error"} trailing text')  # the object must end the message
    assert not p.matches("INFO no object")
    mf = cwfilter.MetricFilter(p, metric_name="L", namespace="N", value="$.latency")
    assert mf.observe(LAMBDA_LINE).value == 5
    response = cwfilter.test_metric_filter('{ $.level = "error" }', [LAMBDA_LINE], json_prefix_scan=True)
    assert len(response["matches"]) == 1
