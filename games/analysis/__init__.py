"""Game analysis: plan populations, payoff matrices, zero-sum equilibria and best-response search.

Everything here needs only the :class:`~games.core.Game` API, so it works for any registered game and
ruleset. It is deterministic for a seed: every random choice draws from a ``random.Random`` seeded with a
string (hashed with SHA-512 by the standard library, so ``PYTHONHASHSEED`` never reaches it), and only
lists and insertion-ordered dicts are iterated where order matters.

* :mod:`.payoff` — the payoff of a pair of plans and an incrementally grown payoff matrix;
* :mod:`.equilibrium` — the zero-sum equilibrium of a matrix (scipy ``linprog``, HiGHS);
* :mod:`.best_response` — bounded hill-climbing search for a plan that does best against a mix of plans;
* :mod:`.population` — building plan populations (random, bots, hill climbing, double oracle);
* :mod:`.audit` — ``run_audit``: the whole fairness audit of one game, as a JSON-able report.
"""

from games.analysis.best_response import BestResponse, best_response
from games.analysis.equilibrium import Equilibrium, solve_zero_sum
from games.analysis.payoff import PayoffMatrix, payoff

__all__ = ["BestResponse", "Equilibrium", "PayoffMatrix", "best_response", "payoff", "solve_zero_sum"]
