"""The five roles. What each may do is declared by the modules' permissions (kernel registry)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    STAFF = "staff", _("Staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    RESIDENT = "resident", _("Resident")


STAFF_ROLES = (Role.ORG_ADMIN, Role.STAFF, Role.GRID_WORKER)
