"""Print the session keys of N signed-in ISD staff (a verified second factor each), for the
load test: each simulated person has their own session, as in real use.

    DATABASE_URL=... .venv/bin/python bench/load_sessions.py 10
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scn_portal.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402

from tests.auth import sign_in  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    staff = Group.objects.get(name="ISD staff")
    for number in range(1, count + 1):
        user, _ = get_user_model().objects.get_or_create(username=f"load.staff.{number:02d}")
        user.groups.add(staff)
        client = Client()
        sign_in(client, user)
        print(client.cookies["sessionid"].value)


if __name__ == "__main__":
    main()
