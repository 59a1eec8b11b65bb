"""The report: per section, rows of (syndic figure, reference figure measured in the
same run, ratio, target, verdict), printed as they come and written as markdown."""

import operator
from dataclasses import dataclass, field

OPS = {"<=": operator.le, ">=": operator.ge}
SYMBOL = {"<=": "≤", ">=": "≥"}


@dataclass
class Target:
    """`on` is 'ratio' (syndic / reference) or 'value' (syndic's figure itself)."""
    on: str
    op: str
    bound: float
    unit: str = ""

    def check(self, value, ratio):
        x = ratio if self.on == "ratio" else value
        return None if x is None else OPS[self.op](x, self.bound)

    def __str__(self):
        suffix = "×" if self.on == "ratio" else f" {self.unit}".rstrip()
        return f"{SYMBOL[self.op]} {self.bound:g}{suffix}"


def ratio_at_least(bound):
    return Target("ratio", ">=", bound)


def ratio_at_most(bound):
    return Target("ratio", "<=", bound)


def value_at_most(bound, unit=""):
    return Target("value", "<=", bound, unit)


def value_at_least(bound, unit=""):
    return Target("value", ">=", bound, unit)


@dataclass
class Row:
    measure: str
    unit: str
    value: float
    reference: float = None
    ref_label: str = ""
    target: Target = None
    note: str = ""

    @property
    def ratio(self):
        if self.reference in (None, 0) or self.value is None:
            return None
        return self.value / self.reference

    @property
    def verdict(self):
        if self.target is None:
            return ""
        ok = self.target.check(self.value, self.ratio)
        return "" if ok is None else ("ok" if ok else "MISSED")


def fmt(x):
    if x is None:
        return "–"
    if isinstance(x, int):
        return f"{x:,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


COLUMNS = ["measure", "syndic", "reference", "ratio", "target", "verdict", "note"]


def cells(row):
    unit = f" {row.unit}" if row.unit else ""
    ref = f"{fmt(row.reference)}{unit} ({row.ref_label})" if row.reference is not None else row.ref_label or "–"
    ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "–"
    return [row.measure, f"{fmt(row.value)}{unit}", ref, ratio, str(row.target or ""), row.verdict, row.note]


@dataclass
class Section:
    name: str
    title: str
    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    error: str = ""


class Report:
    def __init__(self, header_lines):
        self.header = header_lines
        self.sections = []
        self.current = None

    def begin(self, name, title):
        self.current = Section(name, title)
        self.sections.append(self.current)
        print(f"\n== {name}: {title}", flush=True)

    def add(self, row):
        self.current.rows.append(row)
        print("  " + " | ".join(c for c in cells(row) if c), flush=True)
        return row

    def note(self, text):
        self.current.notes.append(text)
        print(f"  note: {text}", flush=True)

    def fail(self, message):
        self.current.error = message
        print(f"  FAILED: {message}", flush=True)

    def failed(self):
        return [s.name for s in self.sections if s.error]

    def missed(self):
        return [(s.name, r.measure) for s in self.sections for r in s.rows if r.verdict == "MISSED"]

    def text(self):
        """The plain-text report: one aligned table per section."""
        out = list(self.header)
        for s in self.sections:
            out += ["", f"== {s.name}: {s.title}"]
            table = [COLUMNS] + [cells(r) for r in s.rows] if s.rows else []
            widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))] if table else []
            out += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
            out += [f"  note: {n}" for n in s.notes]
            if s.error:
                out.append(f"  FAILED: {s.error}")
        return "\n".join(out) + "\n"

    def markdown(self):
        out = ["# syndic benchmark results", ""] + [f"- {line}" for line in self.header]
        for s in self.sections:
            out += ["", f"## {s.name}: {s.title}", ""]
            if s.rows:
                out.append("| " + " | ".join(COLUMNS) + " |")
                out.append("|" + " --- |" * len(COLUMNS))
                out += ["| " + " | ".join(c.replace("|", "\\|") for c in cells(r)) + " |" for r in s.rows]
            if s.notes:
                out += [""] + [f"- {n}" for n in s.notes]
            if s.error:
                out += ["", "**FAILED:** " + s.error.replace("\n", "  \n")]
        return "\n".join(out) + "\n"
