"""The portal's roles, as auth groups with their model permissions.

Issue 4 narrows each role to its scope (for_user); these groups say which kinds of record a
role may view or change at all. Re-running it (e.g. after new models) only adds what is missing.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

DOMAIN = {
    "cities": ["regionalhub", "country", "city", "devolvedpower", "localmechanism",
               "organisation", "official"],
    "workshops": ["workshop", "workshopsupport", "participation", "mediacoverage"],
    "consultations": ["consultation", "finding", "nextstep", "progressupdate"],
}
WORKSHOP_RECORDS = ["workshop", "participation", "mediacoverage"]

ROLES = {
    # Manage users, roles and organisations; everything ISD staff do.
    "Portal admin": {
        app: {model: ["view", "add", "change", "delete"] for model in models}
        for app, models in DOMAIN.items()
    },
    # Log and follow engagement: view, add and change every record; deleting is for admins.
    "ISD staff": {
        app: {model: ["view", "add", "change"] for model in models}
        for app, models in DOMAIN.items()
    },
    # Update their own organisation's workshops (scoped by Workshop.objects.for_user).
    "Partner editor": {
        "workshops": {
            "workshop": ["view", "change"],
            "participation": ["view", "add", "change", "delete"],
            "mediacoverage": ["view", "add", "change", "delete"],
        },
        "cities": {"city": ["view"], "organisation": ["view"]},
    },
    # Read-only staff, e.g. a funder's programme officer.
    "Viewer": {
        app: {model: ["view"] for model in models} for app, models in DOMAIN.items()
    },
}
ADMIN_EXTRA = {"auth": {"user": ["view", "add", "change"], "group": ["view"]}}


def create_roles(apps, schema_editor):
    for app_config in global_apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        if role == "Portal admin":
            grants = {**grants, **ADMIN_EXTRA}
        codenames = [
            (app, f"{action}_{model}")
            for app, models in grants.items()
            for model, actions in models.items()
            for action in actions
        ]
        for app, codename in codenames:
            permission = Permission.objects.get(content_type__app_label=app, codename=codename)
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cities", "0001_initial"),
        ("workshops", "0001_initial"),
        ("consultations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
