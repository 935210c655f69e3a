"""The decision matrix: every (profile, model, task) cell at one as-of date, decided fast and
exactly as ``govern.core.decide`` decides each one.

- ``outcomes``    the plain typed data of a decided cell (named tuples, shared between cells):
                  ``CellSummary`` (the outline) and ``CellOutcome`` (the whole decision);
- ``rule_plan``   what each rule reads, by side, so what it gives is memoized on those values;
- ``fact_values`` facts read once per record, numbered, and laid out along the tasks;
- ``rows``        deciding a (profile, model) row for every task at once;
- ``levels``      the outline and the detail a row is decided at;
- ``result``      ``decide_matrix`` and ``MatrixResult``, the seam renderers and diffs use.
"""

from govern.matrix.levels import Interner
from govern.matrix.outcomes import Cell, CellOutcome, CellSummary, OptionOutcome, OptionSummary
from govern.matrix.result import Axis, MatrixResult, decide_matrix

__all__ = ["Axis", "Cell", "CellOutcome", "CellSummary", "Interner", "MatrixResult",
           "OptionOutcome", "OptionSummary", "decide_matrix"]
