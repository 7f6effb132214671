"""How RESULTS.md writes figures, the same in every section: a cell is a median and its range, a
ratio has as many digits as it needs, a table's numeric columns are right-aligned, a target is
met or **not**."""

from .results import med


def cell(values, fmt="{:.2f}"):
    """`median [min-max]`, or the one value when all are equal."""
    if not values:
        return "-"
    m, lo, hi = (fmt.format(x) for x in (med(values), min(values), max(values)))
    return m if lo == hi else f"{m} [{lo}-{hi}]"


def ratio(a, b):
    r = med(a) / med(b) if a and b and med(b) else None
    return "-" if r is None else f"{r:.2f}" if r >= 0.095 else f"{r:.3f}"


def table(header, rows):
    """A Markdown table; a header starting with ">" is a right-aligned column."""
    head = "| " + " | ".join(h.lstrip(">") for h in header) + " |"
    rule = "|" + "|".join("---:" if h.startswith(">") else "---" for h in header) + "|"
    return "\n".join([head, rule] + ["| " + " | ".join(map(str, r)) + " |" for r in rows]) + "\n"


def targets_table(rows):
    """The targets table from (target, measured, met) rows."""
    return table(("target", "measured", "met"), [(t, m, "yes" if ok else "**no**") for t, m, ok in rows])
