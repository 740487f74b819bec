"""The join of a bundle (一件事): once every part application is decided, the bundle application is joined."""

from django.utils import timezone

from smartcounty.domains.services.models import Application
from smartcounty.kernel import audit, events

#: Part states that count as decided for the join.
DECIDED = ("issued", "delivered", "closed", "evaluated", "denied", "refused")
STATE_NAMES = {"split": "分办中", "joined": "已汇总"}


def join_if_done(bundle_id: int, *, actor=None, now=None) -> bool:
    parent = Application.objects.select_for_update().filter(pk=bundle_id, state="split").first()
    if parent is None:
        return False
    states = list(Application.objects.filter(bundle_id=bundle_id).values_list("state", flat=True))
    if not states or any(s not in DECIDED for s in states):
        return False
    parent.state, parent.closed_at = "joined", now or timezone.now()
    parent.save(update_fields=["state", "closed_at"])
    audit.record("services.bundle_joined", actor=actor, obj=parent, detail={"number": parent.number})
    events.publish("services.bundle_joined", {"id": parent.pk, "number": parent.number})
    return True
