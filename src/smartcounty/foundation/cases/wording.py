"""What the case pages show people instead of codes: the names of history actions, step fields and
states (the engine stores keys such as ``create``, ``result``, ``collected``)."""

from django.utils.translation import gettext_lazy as _

#: History actions that are not a step of the case type (steps are named by their own title).
ACTIONS = {
    "create": _("Report filed"), "comment": _("Comment"), "attach": _("Attachment added"),
    "remind": _("Reminder: time is running out"), "escalate": _("Escalated: overdue"),
}
#: Keys of ``data`` a step may ask for, as labels of the form fields.
FIELDS = {
    "result": _("Result of the handling"), "inspection": _("Findings of the inspection"),
    "rating": _("Rating"), "reason": _("Reason"), "note": _("Note"),
}


def _state_title(ct, key: str) -> str:
    if not key:
        return ""
    try:
        return str(ct.state(key).title)
    except KeyError:
        return key


def _action_title(ct, key: str) -> str:
    if key in ACTIONS:
        return str(ACTIONS[key])
    try:
        return str(ct.transition(key).title)
    except KeyError:
        return key


def field_label(key: str) -> str:
    return str(FIELDS.get(key, key))


def event_rows(ct, events) -> list[dict]:
    """History rows for a page: time, action name, the state it led to (when it changed), by whom, note."""
    return [{"at": e.at, "action": _action_title(ct, e.action),
             "to": _state_title(ct, e.to_state) if e.to_state and e.to_state != e.from_state else "",
             "by": e.actor_name if e.actor_name != "system" else str(_("the platform")), "note": e.note}
            for e in events]
