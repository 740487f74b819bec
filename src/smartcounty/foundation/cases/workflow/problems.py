"""What can be wrong with a workflow definition: one class per problem a person can act on.

Each problem names the part at fault (``path``, e.g. ``states.review`` or ``transitions.accept``) and gives a
Chinese sentence (``message``) saying what to change.
"""

from django.utils.translation import gettext as _


class Problem:
    code = "problem"

    def __init__(self, path: str = "", **params):
        self.path = path
        self.params = {k: str(v)[:80] for k, v in params.items()}

    def text(self) -> str:  # pragma: no cover - every subclass says its own
        raise NotImplementedError

    @property
    def message(self) -> str:
        return self.text() % self.params

    def __repr__(self):
        return f"{type(self).__name__}({self.path!r})"


class BadDocument(Problem):
    code = "bad-document"

    def text(self):
        return _("The definition cannot be read: %(reason)s")


class BadValue(Problem):
    code = "bad-value"

    def text(self):
        return _("%(part)s: %(reason)s")


class DuplicateKey(Problem):
    code = "duplicate-key"

    def text(self):
        return _("The key %(key)s is used twice; give every state and step its own key.")


class NoStartState(Problem):
    code = "no-start-state"

    def text(self):
        return _("No state is marked start: mark the state where a new case begins (start: true).")


class ManyStartStates(Problem):
    code = "many-start-states"

    def text(self):
        return _("States %(states)s are all marked start; a case begins in exactly one.")


class NoTerminalState(Problem):
    code = "no-terminal-state"

    def text(self):
        return _("No state is marked terminal: mark the states where a case ends (terminal: true).")


class UnknownState(Problem):
    code = "unknown-state"

    def text(self):
        return _("Step %(transition)s names the state %(state)s, which the definition does not have.")


class UnreachableState(Problem):
    code = "unreachable-state"

    def text(self):
        return _("State %(state)s cannot be reached from the start state: add a step into it or remove it.")


class DeadEnd(Problem):
    code = "dead-end"

    def text(self):
        return _("From state %(state)s no path leads to a terminal state: add a step out of it.")


class UnknownRole(Problem):
    code = "unknown-role"

    def text(self):
        return _("%(part)s names the role %(role)s, which does not exist (roles: %(roles)s).")


class UnknownRelation(Problem):
    code = "unknown-relation"

    def text(self):
        return _("Step %(transition)s names the relation %(relation)s; use one of: %(relations)s.")


class BadLimit(Problem):
    code = "bad-limit"

    def text(self):
        return _("The time limit of %(part)s is not valid: give an amount above 0 and a unit of %(units)s.")


class BadGuard(Problem):
    code = "bad-guard"

    def text(self):
        return _("The guard of step %(transition)s is not valid: %(reason)s")


class BadTimer(Problem):
    code = "bad-timer"

    def text(self):
        return _("The timer of step %(transition)s is not valid: %(reason)s")


class ForkWithoutJoin(Problem):
    code = "fork-without-join"

    def text(self):
        return _("State %(state)s opens parallel branches but no state joins them (join_of: %(state)s).")


class JoinWithoutFork(Problem):
    code = "join-without-fork"

    def text(self):
        return _("State %(state)s joins %(fork)s, which opens no parallel branches.")


class BadForm(Problem):
    code = "bad-form"

    def text(self):
        return _("Form %(form)s: %(reason)s")


class BadNotification(Problem):
    code = "bad-notification"

    def text(self):
        return _("Notification %(index)s: %(reason)s")


class DefinitionInvalid(ValueError):
    """A definition that cannot be saved or published; ``problems`` says why."""

    def __init__(self, problems):
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems
