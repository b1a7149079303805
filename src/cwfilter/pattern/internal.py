"""The pattern room's internal API: what cwfilter's other rooms (metric, replayer, analysis,
the command...) may import from pattern's modules, besides the public names of
``cwfilter.pattern`` (its ``__all__``, and ``ast``, the syntax tree ``FilterPattern.ast`` is
made of). Everything else in ``pattern/`` is the room's own and may change without notice;
``tests/test_layout.py`` holds every other room to this list.

Why each is shared: ``jsoncode``'s generator is what replay's Struct code generator extends, and
its getters are the metric filter's value and dimension getters; ``message`` is how every room
reads a log event; ``canonical`` renders what ``analysis`` reports; ``glob`` and ``values`` are
the comparisons replay's generated code calls; ``syntax.parse_selector`` reads a metric
filter's ``$.`` references; ``errors`` holds AWS's texts; ``explain`` the evaluation tree the
command prints; ``lalr`` is the table-driven parser the alarm grammars (AlarmRule, metric math)
run on too.
"""

from __future__ import annotations

ROOM_API: dict[str, tuple[str, ...]] = {
    "canonical": ("render", "render_selector"),
    "errors": ("GENERIC_MESSAGES", "PatternError"),
    "explain": ("Clause", "Explanation"),
    "glob": ("glob_source", "pieces_of"),
    "lalr": ("Parser", "UnexpectedCharacters", "UnexpectedInput", "UnexpectedToken", "transform"),
    "jsoncode": ("MISSING", "JsonCodegen", "candidates_source", "getter_source", "is_exact_string_eq",
                 "selector_getter"),
    "message": ("Message", "as_bytes", "as_text", "load_object", "number_text"),
    "syntax": ("parse_selector",),
    "values": ("json_value_test",),
}  # fmt: skip
