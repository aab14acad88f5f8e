"""The portal's roles and what a user is. The groups are created by consultations/0002_roles.

Every QuerySet's `for_user()` asks these questions; no view asks them on its own.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

PORTAL_ADMIN = "Portal admin"
ISD_STAFF = "ISD staff"
PARTNER_EDITOR = "Partner editor"
VIEWER = "Viewer"

User = AbstractBaseUser | AnonymousUser


def role_names(user: User) -> frozenset[str]:
    """The user's role names, read once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_scn_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {PORTAL_ADMIN}
        user._scn_role_names = cached
    return cached


def is_isd_staff(user: User) -> bool:
    """ISD staff and portal admins: they see and change every record."""
    return bool(role_names(user) & {PORTAL_ADMIN, ISD_STAFF})


def is_portal_admin(user: User) -> bool:
    return PORTAL_ADMIN in role_names(user)


def is_viewer(user: User) -> bool:
    """Read-only staff (e.g. a funder): every record, not confidential ones, no contacts."""
    return VIEWER in role_names(user) and not is_isd_staff(user)


def can_read_internal(user: User) -> bool:
    """May read the staff portal (internal records): ISD staff, admins and viewers."""
    return is_isd_staff(user) or is_viewer(user)


def partner_organisation_ids(user: User) -> list[int]:
    """The organisations a partner editor works for (none for any other role)."""
    if PARTNER_EDITOR not in role_names(user):
        return []
    cached = getattr(user, "_scn_partner_organisation_ids", None)
    if cached is None:
        cached = list(user.organisations.values_list("pk", flat=True))
        user._scn_partner_organisation_ids = cached
    return cached


def display_name(user: User) -> str:
    """How the portal names a person: their full name, else their user name."""
    return user.get_full_name() or user.get_username()


def team_members_for(user: User):
    """The ISD team members a user may pick (for a consultation's team): ISD staff only."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if not is_isd_staff(user):
        return users.none()
    in_staff_groups = users.model.groups.through.objects.filter(
        group__name__in=[ISD_STAFF, PORTAL_ADMIN]
    ).values("user_id")
    return users.filter(Q(is_superuser=True) | Q(pk__in=in_staff_groups))


SYSTEM_USERNAME = "scn-system"


def is_system(user: User | None) -> bool:
    """The portal itself (a command or task, with or without the system account)."""
    return user is None or user.get_username() == SYSTEM_USERNAME


def system_user() -> AbstractBaseUser:
    """The account that management commands and background tasks act as when no person does:
    their history rows name it. It cannot sign in (inactive, no usable password)."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "SCN Portal", "last_name": "(system)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
