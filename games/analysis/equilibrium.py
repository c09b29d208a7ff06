"""The equilibrium of a finite two-player zero-sum game, by linear programming (scipy, HiGHS).

For a payoff matrix M (row player A maximises, column player B minimises) the row player's maximin
strategy solves ``max v  s.t.  xᵀM ≥ v·1, Σx = 1, x ≥ 0``, and the column player's minimax strategy the
mirror problem. By the minimax theorem both give the same value. Both LPs are solved, rather than reading
B's strategy off the dual, so each strategy is a plain feasible point that can be checked independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from games.core.errors import EngineError, ParameterError

#: Weights below this are treated as zero: the "support" of a strategy is its plans above it.
SUPPORT_EPS = 1e-6


@dataclass(frozen=True)
class Equilibrium:
    """A zero-sum equilibrium of a payoff matrix.

    Attributes:
        value: The row player's expected payoff at equilibrium.
        x: The row player's mixed strategy (sums to 1).
        y: The column player's mixed strategy (sums to 1).
    """

    value: float
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]

    def support(self, player: int) -> list[int]:
        """Indices with weight above :data:`SUPPORT_EPS` for player 0 (rows) or 1 (columns)."""
        w = self.x if player == 0 else self.y
        return [int(i) for i in np.flatnonzero(w > SUPPORT_EPS)]


def _maximin(m: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
    """The row player's maximin value and strategy of ``m``."""
    rows, cols = m.shape
    # variables: x_0 … x_{rows-1}, v.  minimise −v  s.t.  v − Σ_i x_i m_ij ≤ 0  for every column j.
    c = np.zeros(rows + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-m.T, np.ones((cols, 1))])
    b_ub = np.zeros(cols)
    a_eq = np.zeros((1, rows + 1))
    a_eq[0, :rows] = 1.0
    bounds = [(0.0, None)] * rows + [(None, None)]
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if not res.success:  # a bounded, feasible LP: failure would be a solver bug, not a user error
        raise EngineError(f"the equilibrium LP failed: {res.message}")
    x = np.clip(res.x[:rows], 0.0, None)
    x = x / x.sum()
    return float(res.x[-1]), x


def solve_zero_sum(matrix: npt.ArrayLike) -> Equilibrium:
    """Solve the zero-sum game with row payoffs ``matrix`` (rows maximise).

    Args:
        matrix: A non-empty 2-D payoff matrix for the row player.

    Returns:
        The value and one equilibrium strategy for each player. When the equilibrium is not unique,
        HiGHS returns the same one for the same matrix every time.

    Raises:
        ParameterError: On an empty matrix.
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.size == 0:
        raise ParameterError("the payoff matrix must be a non-empty 2-D array")
    value, x = _maximin(m)
    neg_value, y = _maximin(-m.T)
    # Both LPs agree up to the solver's tolerance; report their mean so the value is symmetric.
    return Equilibrium(value=(value - neg_value) / 2.0, x=x, y=y)
